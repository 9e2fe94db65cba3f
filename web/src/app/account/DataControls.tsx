"use client";

import { useState } from "react";

import { api, authedFetch, call, type Schemas } from "@/api/client";
import { asApiError, type ApiError } from "@/api/errors";
import { ConfirmDialog } from "@/components/ConfirmDialog";
import { ErrorNotice } from "@/components/ErrorNotice";
import { t } from "@/i18n/en/account";

function filenameFrom(header: string | null): string {
  const match = header ? /filename="?([^";]+)"?/.exec(header) : null;
  return match?.[1] ?? "insight-atlas-export.json";
}

export function DataControls() {
  const [exporting, setExporting] = useState(false);
  const [exportError, setExportError] = useState<ApiError | null>(null);
  const [exported, setExported] = useState<string | null>(null);
  const [confirmPurge, setConfirmPurge] = useState(false);
  const [purging, setPurging] = useState(false);
  const [purgeError, setPurgeError] = useState<ApiError | null>(null);
  const [purged, setPurged] = useState<Schemas["PurgeResult"] | null>(null);

  async function download() {
    setExporting(true);
    setExportError(null);
    setExported(null);
    try {
      const response = await authedFetch("/v1/me/export");
      const blob = await response.blob();
      const name = filenameFrom(response.headers.get("Content-Disposition"));
      const url = URL.createObjectURL(blob);
      const link = document.createElement("a");
      link.href = url;
      link.download = name;
      document.body.appendChild(link);
      link.click();
      link.remove();
      window.setTimeout(() => URL.revokeObjectURL(url), 10_000);
      setExported(t("data.exported", { name }));
    } catch (caught) {
      setExportError(asApiError(caught));
    } finally {
      setExporting(false);
    }
  }

  async function purge() {
    setPurging(true);
    setPurgeError(null);
    try {
      setPurged(await call(() => api.DELETE("/v1/me/data")));
      setConfirmPurge(false);
    } catch (caught) {
      setPurgeError(asApiError(caught));
    } finally {
      setPurging(false);
    }
  }

  return (
    <section className="section" aria-labelledby="data-title">
      <h2 id="data-title">{t("data.title")}</h2>
      <p className="muted reading">{t("data.lead")}</p>
      <div className="grid grid--2">
        <div className="card stack">
          <h3>{t("data.exportTitle")}</h3>
          <p className="muted" style={{ margin: 0 }}>
            {t("data.exportText")}
          </p>
          {exportError ? <ErrorNotice error={exportError} /> : null}
          <p style={{ margin: 0 }} role="status">
            {exported}
          </p>
          <div>
            <button type="button" className="button button--secondary" onClick={download} disabled={exporting}>
              {exporting ? t("data.exporting") : t("data.export")}
            </button>
          </div>
        </div>
        <div className="card stack">
          <h3>{t("data.purgeTitle")}</h3>
          <p className="muted" style={{ margin: 0 }}>
            {t("data.purgeText")}
          </p>
          {purged ? (
            <div className="notice notice--ok" role="status">
              <p>
                {t("data.purged", {
                  assessments: purged.assessments_deleted,
                  reports: purged.reports_deleted,
                  links: purged.share_links_deleted,
                })}
              </p>
            </div>
          ) : null}
          <div>
            <button type="button" className="button button--danger-outline" onClick={() => setConfirmPurge(true)}>
              {t("data.purge")}
            </button>
          </div>
        </div>
      </div>
      <ConfirmDialog
        open={confirmPurge}
        title={t("data.purgeConfirmTitle")}
        confirmLabel={t("data.purgeConfirm")}
        danger
        busy={purging}
        onConfirm={purge}
        onCancel={() => setConfirmPurge(false)}
      >
        <p>{t("data.purgeConfirmText")}</p>
        {purgeError ? <ErrorNotice error={purgeError} /> : null}
      </ConfirmDialog>
    </section>
  );
}
