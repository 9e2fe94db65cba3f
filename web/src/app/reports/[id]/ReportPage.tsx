"use client";

import { AppLink as Link } from "@/components/AppLink";
import { useEffect, useState } from "react";

import { api, call } from "@/api/client";
import { useSession } from "@/auth/session";
import { ErrorNotice } from "@/components/ErrorNotice";
import { Loading } from "@/components/Loading";
import { RequireAuth } from "@/components/RequireAuth";
import { t } from "@/i18n/en/report";
import { lastPathSegment } from "@/lib/navigation";
import { loadItemTexts, loadReport, type ItemTexts } from "@/lib/reports";
import { preloadable, usePreloaded } from "@/lib/preload";
import { useLoad } from "@/lib/useLoad";
import { ReportView } from "@/report/ReportView";
import type { ReportDocument } from "@/report/types";
import { ReportActions } from "./ReportActions";

// The plain-language panel is its own chunk, fetched once the page is up: most visits
// never open it, and the page's first-load JavaScript stays within budget.
const plainLanguage = preloadable(() => import("@/report/PlainLanguagePanel"));

interface Loaded {
  document: ReportDocument;
  texts: ItemTexts | null;
  freeText: string | null;
}

function OwnerReport({ id }: { id: string }) {
  const session = useSession();
  const PlainLanguagePanel = usePreloaded(plainLanguage)?.PlainLanguagePanel;
  const loaded = useLoad<Loaded>(async () => {
    const document = await loadReport(id);
    const body = document.report;
    const [texts, freeText] = await Promise.all([
      loadItemTexts(body.instrument.key, Boolean(body.addons["work-style"])).catch(() => null),
      body.text_signals
        ? call(() =>
            api.GET("/v1/assessments/{assessment_id}", { params: { path: { assessment_id: document.assessment_id } } }),
          )
            .then((assessment) => assessment.free_text)
            .catch(() => null)
        : Promise.resolve(null),
    ]);
    return { document, texts, freeText };
  }, [id]);

  if (loaded.status === "loading") return <Loading label={t("report.loading")} />;
  if (loaded.status === "error") {
    return (
      <>
        <h1>{t("report.title")}</h1>
        <ErrorNotice
          error={loaded.error}
          title={loaded.error.status === 404 ? t("report.notFound") : undefined}
          onRetry={loaded.error.status === 404 ? undefined : loaded.reload}
        />
        <p>
          <Link href="/reports">{t("report.backToHistory")}</Link>
        </p>
      </>
    );
  }
  const { document, texts, freeText } = loaded.data;
  return (
    <>
      <p className="no-print">
        <Link href="/reports">← {t("report.backToHistory")}</Link>
      </p>
      <ReportView
        report={document.report}
        createdAt={document.created_at}
        mode="owner"
        items={texts?.items}
        answerLabels={texts?.answerLabels}
        freeText={freeText}
        actions={<ReportActions reportId={document.id} canShare={session.can("reports:share")} />}
      />
      {PlainLanguagePanel ? <PlainLanguagePanel reportId={document.id} /> : null}
    </>
  );
}

export function ReportPage() {
  const [id, setId] = useState<string | null>(null);
  useEffect(() => setId(lastPathSegment()), []);
  if (!id) return <Loading />;
  return (
    <RequireAuth>
      <OwnerReport id={id} />
    </RequireAuth>
  );
}
