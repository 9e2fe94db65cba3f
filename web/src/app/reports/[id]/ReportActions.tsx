"use client";

import { AppLink as Link } from "@/components/AppLink";
import { lazy, Suspense, useState } from "react";

import { asApiError, type ApiError } from "@/api/errors";
import { ErrorNotice } from "@/components/ErrorNotice";
import { t } from "@/i18n/en/report";
import { hardNavigate } from "@/lib/navigation";
import { deleteReport } from "@/lib/reports";

// Dialogs load on first use: most visits only read the report.
const ShareDialog = lazy(() => import("./ShareDialog"));
const ConfirmDialog = lazy(() => import("@/components/ConfirmDialog"));

interface Props {
  reportId: string;
  canPrint: boolean;
  canShare: boolean;
}

export function ReportActions({ reportId, canPrint, canShare }: Props) {
  const [confirming, setConfirming] = useState(false);
  const [sharing, setSharing] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);

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
      {canPrint ? (
        <button type="button" className="button button--small" onClick={() => window.print()}>
          {t("report.print")}
        </button>
      ) : (
        <Link className="button button--secondary button--small" href="/pricing">
          {t("report.print")} <span className="badge badge--pro">{t("common.pro")}</span>
        </Link>
      )}
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
      {sharing ? (
        <Suspense fallback={null}>
          <ShareDialog reportId={reportId} open={sharing} onClose={() => setSharing(false)} />
        </Suspense>
      ) : null}
      {confirming ? (
        <Suspense fallback={null}>
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
        </Suspense>
      ) : null}
    </>
  );
}
