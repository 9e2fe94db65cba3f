"use client";

import { AppLink as Link } from "@/components/AppLink";
import { useState } from "react";

import { asApiError, type ApiError } from "@/api/errors";
import { ErrorNotice } from "@/components/ErrorNotice";
import { t } from "@/i18n/en/report";
import { hardNavigate } from "@/lib/navigation";
import { deleteReport } from "@/lib/reports";
import { preloadable, usePreloaded } from "@/lib/preload";

// The dialogs are not part of the first load: most visits only read the report. They are
// fetched once the page is up, so opening one is immediate.
const shareDialog = preloadable(() => import("./ShareDialog"));
const confirmDialog = preloadable(() => import("@/components/ConfirmDialog"));

interface Props {
  reportId: string;
  canShare: boolean;
}

export function ReportActions({ reportId, canShare }: Props) {
  const [confirming, setConfirming] = useState(false);
  const [sharing, setSharing] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const ShareDialog = usePreloaded(shareDialog)?.default;
  const ConfirmDialog = usePreloaded(confirmDialog)?.default;

  async function remove() {
    setBusy(true);
    setError(null);
    try {
      await deleteReport(reportId);
      hardNavigate("/reports?deleted=1", true);
    } catch (caught) {
      setError(asApiError(caught));
      setBusy(false);
    }
  }

  return (
    <>
      <button type="button" className="button button--small" onClick={() => window.print()}>
        {t("report.print")}
      </button>
      {canShare ? (
        <button type="button" className="button button--secondary button--small" onClick={() => setSharing(true)}>
          {t("share.open")}
        </button>
      ) : (
        <Link className="button button--secondary button--small" href="/pricing">
          {t("share.open")} <span className="badge badge--pro">{t("common.pro")}</span>
        </Link>
      )}
      <button type="button" className="button button--danger-outline button--small" onClick={() => setConfirming(true)}>
        {t("report.delete")}
      </button>
      {ShareDialog ? <ShareDialog reportId={reportId} open={sharing} onClose={() => setSharing(false)} /> : null}
      {ConfirmDialog ? (
        <ConfirmDialog
        open={confirming}
        title={t("report.deleteTitle")}
        confirmLabel={t("report.deleteConfirm")}
        danger
        busy={busy}
        onConfirm={remove}
        onCancel={() => {
          setConfirming(false);
          setError(null);
        }}
      >
        <p>{t("report.deleteText")}</p>
          {error ? <ErrorNotice error={error} /> : null}
        </ConfirmDialog>
      ) : null}
    </>
  );
}
