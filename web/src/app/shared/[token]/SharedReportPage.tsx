"use client";

import { AppLink as Link } from "@/components/AppLink";
import { useEffect, useState } from "react";

import { API_BASE } from "@/api/client";
import { errorFromResponse, networkError } from "@/api/errors";
import { ErrorNotice } from "@/components/ErrorNotice";
import { Loading } from "@/components/Loading";
import { formatDateTime } from "@/i18n";
import { t } from "@/i18n/en/report";
import { lastPathSegment } from "@/lib/navigation";
import { useLoad } from "@/lib/useLoad";
import { ReportView } from "@/report/ReportView";
import type { SharedReportDocument } from "@/report/types";

async function loadShared(token: string): Promise<SharedReportDocument> {
  let response: Response;
  try {
    // Public: no token, no cookie.
    response = await fetch(`${API_BASE}/v1/shared/${encodeURIComponent(token)}`, { credentials: "omit" });
  } catch (cause) {
    throw networkError(cause);
  }
  const body: unknown = await response.json().catch(() => null);
  if (!response.ok) throw errorFromResponse(response, body);
  return body as SharedReportDocument;
}

function Shared({ token }: { token: string }) {
  const loaded = useLoad(() => loadShared(token), [token]);
  if (loaded.status === "loading") return <Loading label={t("report.loading")} />;
  if (loaded.status === "error") {
    return (
      <div className="reading">
        <h1>{t("shared.unavailableTitle")}</h1>
        {loaded.error.status === 404 ? (
          <div className="notice notice--warn" role="alert">
            <p>{t("shared.unavailable")}</p>
          </div>
        ) : (
          <ErrorNotice error={loaded.error} onRetry={loaded.reload} />
        )}
        <p style={{ marginTop: "1.5rem" }}>
          <Link href="/">{t("shared.learnMore")}</Link>
        </p>
      </div>
    );
  }
  return (
    <ReportView
      report={loaded.data.report}
      createdAt={loaded.data.created_at}
      mode="shared"
      headerNote={
        <div className="notice notice--info" style={{ marginBottom: "1rem" }}>
          <p>{t("shared.note", { date: formatDateTime(loaded.data.expires_at) })}</p>
        </div>
      }
    />
  );
}

export function SharedReportPage() {
  const [token, setToken] = useState<string | null>(null);
  useEffect(() => setToken(lastPathSegment()), []);
  if (!token) return <Loading />;
  return <Shared token={token} />;
}
