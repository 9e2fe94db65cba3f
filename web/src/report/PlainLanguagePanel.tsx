"use client";

import { useId, useState } from "react";

import { asApiError, type ApiError } from "@/api/errors";
import { ErrorNotice } from "@/components/ErrorNotice";
import { formatDateTime } from "@/i18n";
import { t } from "@/i18n/en/rewrite";
import { createRewrite, deleteRewrite, loadRewriteStatus, type Rewrite, type RewriteStatus } from "@/lib/rewrite";
import { useLoad } from "@/lib/useLoad";

interface Props {
  reportId: string;
}

/**
 * The narrative rewritten in plainer words by a language model, on request only: the
 * person sees where it would be sent and agrees first. Hidden when the API offers no model
 * and none is stored.
 */
export function PlainLanguagePanel({ reportId }: Props) {
  const loaded = useLoad<RewriteStatus>(() => loadRewriteStatus(reportId), [reportId]);
  if (loaded.status === "loading") return null;
  if (loaded.status === "error") {
    return (
      <section className="report-section no-print" aria-labelledby="rewrite-title">
        <h2 id="rewrite-title">{t("rewrite.title")}</h2>
        <ErrorNotice error={loaded.error} title={t("rewrite.loadFailed")} onRetry={loaded.reload} />
      </section>
    );
  }
  const status = loaded.data;
  if (!status.available && !status.rewrite) return null;
  return (
    <RewriteSection
      reportId={reportId}
      status={status}
      onChange={(rewrite) => loaded.replace({ ...status, rewrite })}
    />
  );
}

function RewriteSection({
  reportId,
  status,
  onChange,
}: {
  reportId: string;
  status: RewriteStatus;
  onChange: (rewrite: Rewrite | null) => void;
}) {
  const [asking, setAsking] = useState(false);
  const [agreed, setAgreed] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [showOriginal, setShowOriginal] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const agreeId = useId();
  const rewrite = status.rewrite;

  async function create() {
    setBusy(true);
    setError(null);
    setNotice(null);
    try {
      const created = await createRewrite(reportId, status);
      setAsking(false);
      setAgreed(false);
      setShowOriginal(false);
      onChange(created);
    } catch (caught) {
      setError(asApiError(caught));
    } finally {
      setBusy(false);
    }
  }

  async function remove() {
    setBusy(true);
    setError(null);
    try {
      await deleteRewrite(reportId);
      onChange(null);
      setNotice(t("rewrite.deleted"));
    } catch (caught) {
      setError(asApiError(caught));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="report-section no-print" aria-labelledby="rewrite-title">
      <h2 id="rewrite-title">{t("rewrite.title")}</h2>
      {notice ? (
        <p className="notice notice--info" role="status">
          {notice}
        </p>
      ) : null}

      {rewrite ? (
        <div className="card" style={{ padding: "1rem 1.25rem" }}>
          <p className="eyebrow">{showOriginal ? t("rewrite.originalLabel") : t("rewrite.label")}</p>
          {showOriginal ? null : (
            <p className="small muted">
              {t("rewrite.labelDetail", {
                model: rewrite.model,
                host: rewrite.endpoint_host,
                date: formatDateTime(rewrite.created_at),
              })}
            </p>
          )}
          <ul className="reading" aria-live="polite">
            {rewrite.statements.map((statement) => (
              <li key={statement.id}>{showOriginal ? statement.original : statement.text}</li>
            ))}
          </ul>
          <p className="report-actions">
            <button
              type="button"
              className="button button--secondary button--small"
              aria-pressed={showOriginal}
              onClick={() => setShowOriginal((value) => !value)}
            >
              {showOriginal ? t("rewrite.showRewrite") : t("rewrite.showOriginal")}
            </button>
            <button type="button" className="button button--danger-outline button--small" disabled={busy} onClick={remove}>
              {t("rewrite.delete")}
            </button>
            {status.available && !asking ? (
              <button type="button" className="button button--secondary button--small" onClick={() => setAsking(true)}>
                {t("rewrite.again")}
              </button>
            ) : null}
          </p>
        </div>
      ) : (
        <>
          <p className="muted reading">{t("rewrite.lead")}</p>
          {!asking ? (
            <button type="button" className="button button--secondary" onClick={() => setAsking(true)}>
              {t("rewrite.open")}
            </button>
          ) : null}
        </>
      )}

      {asking && status.available && status.endpoint_host ? (
        <form
          className="card"
          style={{ padding: "1rem 1.25rem", marginTop: "1rem" }}
          onSubmit={(event) => {
            event.preventDefault();
            if (agreed && !busy) void create();
          }}
        >
          <p>
            <strong>{t("rewrite.sentTo", { host: status.endpoint_host, model: status.model ?? "" })}</strong>
          </p>
          <p className="reading">{status.consent_text}</p>
          <p>
            <input id={agreeId} type="checkbox" checked={agreed} onChange={(event) => setAgreed(event.target.checked)} />{" "}
            <label htmlFor={agreeId}>{t("rewrite.agree", { host: status.endpoint_host })}</label>
          </p>
          <p className="report-actions">
            <button type="submit" className="button" disabled={!agreed || busy} aria-disabled={!agreed || busy}>
              {t("rewrite.create")}
            </button>
            <button
              type="button"
              className="button button--secondary"
              disabled={busy}
              onClick={() => {
                setAsking(false);
                setAgreed(false);
              }}
            >
              {t("rewrite.cancel")}
            </button>
          </p>
          {busy ? (
            <p role="status" className="muted">
              {t("rewrite.creating")}
            </p>
          ) : null}
        </form>
      ) : null}

      {error ? <ErrorNotice error={error} title={t("rewrite.failedTitle")} /> : null}
    </section>
  );
}
