"use client";

import { AppLink as Link } from "@/components/AppLink";
import { useRouter } from "next/navigation";
import { useState } from "react";

import { asApiError, type ApiError } from "@/api/errors";
import { useSession } from "@/auth/session";
import { ConfirmDialog } from "@/components/ConfirmDialog";
import { ErrorNotice } from "@/components/ErrorNotice";
import { Loading } from "@/components/Loading";
import { RequireAuth } from "@/components/RequireAuth";
import { formatDate, formatDateTime } from "@/i18n";
import { t } from "@/i18n/en/history";
import { loadInProgress, loadInstruments } from "@/lib/assessments";
import { assessmentHref, reportHref } from "@/lib/navigation";
import { deleteReport, listReports, type ReportSummary } from "@/lib/reports";
import { useLoad } from "@/lib/useLoad";
import { useQuery } from "@/lib/useQuery";

const PAGE_SIZE = 20;

function validityBadge(validity: string) {
  if (validity === "valid") return <span className="badge badge--free"><span aria-hidden="true">✓</span> {t("history.validity.valid")}</span>;
  if (validity === "caution") return <span className="badge badge--warn"><span aria-hidden="true">!</span> {t("history.validity.caution")}</span>;
  return <span className="badge badge--danger"><span aria-hidden="true">✕</span> {t("history.validity.invalid")}</span>;
}

function History() {
  const session = useSession();
  const router = useRouter();
  const query = useQuery();
  const [offset, setOffset] = useState(0);
  const reports = useLoad(() => listReports(PAGE_SIZE, offset), [offset]);
  const instruments = useLoad(loadInstruments, []);
  const unfinished = useLoad(loadInProgress, []);
  const [selected, setSelected] = useState<string[]>([]);
  const [toDelete, setToDelete] = useState<ReportSummary | null>(null);
  const [busy, setBusy] = useState(false);
  const [deleteError, setDeleteError] = useState<ApiError | null>(null);
  const [deletedNote, setDeletedNote] = useState<string | null>(null);
  const [compareError, setCompareError] = useState<string | null>(null);

  const titles: Record<string, string> =
    instruments.status === "ready" ? Object.fromEntries(instruments.data.map((item) => [item.key, item.title])) : {};
  const canCompare = session.can("reports:compare");

  function toggle(id: string, on: boolean) {
    setCompareError(null);
    setSelected((previous) => (on ? [...previous.filter((x) => x !== id), id].slice(-2) : previous.filter((x) => x !== id)));
  }

  function compare() {
    if (reports.status !== "ready") return;
    const chosen = reports.data.items.filter((item) => selected.includes(item.id));
    if (chosen.length !== 2) {
      setCompareError(t("history.compareNeedTwo"));
      return;
    }
    if (chosen[0]?.instrument !== chosen[1]?.instrument) {
      setCompareError(t("history.compareSameInstrument"));
      return;
    }
    router.push(`/compare?a=${encodeURIComponent(chosen[1]?.id ?? "")}&b=${encodeURIComponent(chosen[0]?.id ?? "")}`);
  }

  async function confirmDelete() {
    if (!toDelete) return;
    setBusy(true);
    setDeleteError(null);
    try {
      await deleteReport(toDelete.id);
      setDeletedNote(t("history.deleted", { date: formatDateTime(toDelete.created_at) }));
      setSelected((previous) => previous.filter((id) => id !== toDelete.id));
      setToDelete(null);
      await reports.reload();
    } catch (caught) {
      setDeleteError(asApiError(caught));
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <div className="page-head">
        <h1>{t("history.title")}</h1>
        <p>{t("history.lead")}</p>
      </div>

      {query?.get("deleted") === "1" && !deletedNote ? (
        <div className="notice notice--ok" role="status" style={{ marginBottom: "1.5rem" }}>
          <p>{t("history.deletedOne")}</p>
        </div>
      ) : null}
      {deletedNote ? (
        <div className="notice notice--ok" role="status" style={{ marginBottom: "1.5rem" }}>
          <p>{deletedNote}</p>
        </div>
      ) : null}

      {unfinished.status === "ready" && unfinished.data.length ? (
        <section className="card" aria-labelledby="unfinished-title" style={{ marginBottom: "2rem" }}>
          <h2 id="unfinished-title" style={{ fontSize: "1.2rem" }}>
            {t("history.unfinishedTitle")}
          </h2>
          <ul className="list">
            {unfinished.data.map((item) => (
              <li key={item.id} className="list-item">
                <p>
                  <strong>{titles[item.instrument] ?? item.instrument}</strong>{" "}
                  <span className="muted small">
                    {t("start.resume.progress", { answered: item.answered, total: item.total_items, date: formatDate(item.updated_at) })}
                  </span>
                </p>
                <a className="button button--small" href={assessmentHref(item.id)}>
                  {t("start.resume.continue")}
                </a>
              </li>
            ))}
          </ul>
        </section>
      ) : null}

      {reports.status === "loading" ? <Loading label={t("history.loading")} /> : null}
      {reports.status === "error" ? <ErrorNotice error={reports.error} onRetry={reports.reload} /> : null}
      {reports.status === "ready" && reports.data.total === 0 ? (
        <div className="empty">
          <h2>{t("history.emptyTitle")}</h2>
          <p className="muted">{t("history.emptyText")}</p>
          <Link className="button" href="/assessments/new">
            {t("home.ctaStart")}
          </Link>
        </div>
      ) : null}

      {reports.status === "ready" && reports.data.total > 0 ? (
        <>
          <section id="compare" className="notice notice--info" aria-labelledby="compare-title" style={{ marginBottom: "1.25rem" }}>
            <p className="notice__title" id="compare-title">
              {t("history.compareTitle")}
            </p>
            {canCompare ? (
              <>
                <p>{t("history.compareLead")}</p>
                <div className="row">
                  <button type="button" className="button button--small" onClick={compare}>
                    {t("history.compareButton", { count: selected.length })}
                  </button>
                  {compareError ? (
                    <span className="form-error-text" role="alert">
                      {compareError}
                    </span>
                  ) : null}
                </div>
              </>
            ) : (
              <p>
                {t("history.comparePro")} <Link href="/pricing">{t("start.seePricing")}</Link>
              </p>
            )}
          </section>
          <ul className="list" aria-label={t("history.listLabel")}>
            {reports.data.items.map((item) => {
              const title = titles[item.instrument] ?? item.instrument;
              const label = t("history.itemLabel", { title, date: formatDateTime(item.created_at) });
              return (
                <li key={item.id} className="card list-item">
                  <div>
                    <h2>
                      <a href={reportHref(item.id)}>{title}</a>
                    </h2>
                    <p className="muted small">
                      {formatDateTime(item.created_at)} · {t("history.versions", { version: item.instrument_version, norms: item.norms_version })}
                    </p>
                    <p className="row" style={{ marginTop: "0.4rem", gap: "0.4rem" }}>
                      {validityBadge(item.validity)}
                      {item.shared ? <span className="badge badge--pro">{t("history.shared")}</span> : null}
                    </p>
                  </div>
                  <div className="row">
                    {canCompare ? (
                      <label className="switch">
                        <input
                          type="checkbox"
                          checked={selected.includes(item.id)}
                          onChange={(event) => toggle(item.id, event.target.checked)}
                          aria-label={t("history.selectForCompare", { label })}
                        />
                        <span aria-hidden="true">{t("history.select")}</span>
                      </label>
                    ) : null}
                    <a className="button button--small" href={reportHref(item.id)} aria-label={t("history.openLabel", { label })}>
                      {t("history.open")}
                    </a>
                    <button
                      type="button"
                      className="button button--danger-outline button--small"
                      onClick={() => {
                        setDeleteError(null);
                        setToDelete(item);
                      }}
                      aria-label={t("history.deleteLabel", { label })}
                    >
                      {t("report.delete")}
                    </button>
                  </div>
                </li>
              );
            })}
          </ul>
          {reports.data.total > PAGE_SIZE ? (
            <nav className="row row--between" aria-label={t("history.pagesLabel")} style={{ marginTop: "1.5rem" }}>
              <button
                type="button"
                className="button button--secondary button--small"
                disabled={offset === 0}
                onClick={() => setOffset(Math.max(0, offset - PAGE_SIZE))}
              >
                {t("history.newer")}
              </button>
              <span className="muted small">
                {t("history.range", {
                  from: offset + 1,
                  to: Math.min(offset + PAGE_SIZE, reports.data.total),
                  total: reports.data.total,
                })}
              </span>
              <button
                type="button"
                className="button button--secondary button--small"
                disabled={offset + PAGE_SIZE >= reports.data.total}
                onClick={() => setOffset(offset + PAGE_SIZE)}
              >
                {t("history.older")}
              </button>
            </nav>
          ) : null}
        </>
      ) : null}

      <ConfirmDialog
        open={toDelete !== null}
        title={t("report.deleteTitle")}
        confirmLabel={t("report.deleteConfirm")}
        danger
        busy={busy}
        onConfirm={confirmDelete}
        onCancel={() => setToDelete(null)}
      >
        <p>
          {toDelete
            ? t("history.deleteText", {
                title: titles[toDelete.instrument] ?? toDelete.instrument,
                date: formatDateTime(toDelete.created_at),
              })
            : null}
        </p>
        {deleteError ? <ErrorNotice error={deleteError} /> : null}
      </ConfirmDialog>
    </>
  );
}

export function HistoryPage() {
  return (
    <RequireAuth>
      <History />
    </RequireAuth>
  );
}
