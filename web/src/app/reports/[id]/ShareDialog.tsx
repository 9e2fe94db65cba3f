"use client";

import { useEffect, useId, useRef, useState } from "react";

import { asApiError, type ApiError } from "@/api/errors";
import { ErrorNotice } from "@/components/ErrorNotice";
import { formatDateTime } from "@/i18n";
import { t } from "@/i18n/en/share";
import { createShareLink, revokeShareLinks, type ShareLink } from "@/lib/reports";

const DAY_CHOICES = [1, 7, 30, 90];

/** Create, copy and revoke read-only links (scores only; never answers, text or identity). */
export default function ShareDialog({ reportId, open, onClose }: { reportId: string; open: boolean; onClose: () => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  const id = useId();
  const [days, setDays] = useState(7);
  const [link, setLink] = useState<ShareLink | null>(null);
  const [busy, setBusy] = useState(false);
  const [status, setStatus] = useState("");
  const [error, setError] = useState<ApiError | null>(null);

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);

  async function create() {
    setBusy(true);
    setError(null);
    setStatus("");
    try {
      const created = await createShareLink(reportId, days);
      setLink(created);
      setStatus(t("share.created"));
    } catch (caught) {
      setError(asApiError(caught));
    } finally {
      setBusy(false);
    }
  }

  async function copy() {
    if (!link) return;
    try {
      await navigator.clipboard.writeText(link.url);
      setStatus(t("share.copied"));
    } catch {
      const input = document.getElementById(`${id}-url`) as HTMLInputElement | null;
      input?.select();
      setStatus(t("share.copyManually"));
    }
  }

  async function revoke() {
    setBusy(true);
    setError(null);
    try {
      await revokeShareLinks(reportId);
      setLink(null);
      setStatus(t("share.revoked"));
    } catch (caught) {
      setError(asApiError(caught));
    } finally {
      setBusy(false);
    }
  }

  return (
    <dialog
      ref={ref}
      aria-labelledby={`${id}-title`}
      onCancel={(event) => {
        event.preventDefault();
        onClose();
      }}
      style={{ width: "34rem" }}
    >
      <h2 id={`${id}-title`}>{t("share.title")}</h2>
      <p className="muted">{t("share.lead")}</p>
      {error ? <ErrorNotice error={error} /> : null}
      {link ? (
        <div className="stack">
          <div className="field">
            <label htmlFor={`${id}-url`}>{t("share.urlLabel")}</label>
            <div className="share-box">
              <input id={`${id}-url`} type="text" readOnly value={link.url} onFocus={(event) => event.target.select()} />
              <button type="button" className="button button--small" onClick={copy}>
                {t("share.copy")}
              </button>
            </div>
            <p className="hint">{t("share.expires", { date: formatDateTime(link.expires_at) })}</p>
          </div>
        </div>
      ) : (
        <div className="field">
          <label htmlFor={`${id}-days`}>{t("share.daysLabel")}</label>
          <select id={`${id}-days`} value={days} onChange={(event) => setDays(Number(event.target.value))} style={{ maxWidth: "14rem" }}>
            {DAY_CHOICES.map((choice) => (
              <option key={choice} value={choice}>
                {t(choice === 1 ? "share.day" : "share.days", { days: choice })}
              </option>
            ))}
          </select>
        </div>
      )}
      <p className="small" role="status" aria-live="polite" style={{ minHeight: "1.5em", margin: "0.75rem 0 0" }}>
        {status}
      </p>
      <div className="dialog-actions">
        <button type="button" className="button button--danger-outline" onClick={revoke} disabled={busy}>
          {t("share.revoke")}
        </button>
        {!link ? (
          <button type="button" className="button" onClick={create} disabled={busy}>
            {busy ? t("common.working") : t("share.create")}
          </button>
        ) : null}
        <button type="button" className="button button--secondary" onClick={onClose}>
          {t("common.close")}
        </button>
      </div>
    </dialog>
  );
}
