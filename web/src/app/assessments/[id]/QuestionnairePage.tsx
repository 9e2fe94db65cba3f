"use client";

import { useEffect, useState } from "react";

import { api, call } from "@/api/client";
import { RequireAuth } from "@/components/RequireAuth";
import { ErrorNotice } from "@/components/ErrorNotice";
import { Loading } from "@/components/Loading";
import { t } from "@/i18n/en/quiz";
import { loadInstrument, WORK_STYLE_KEY, type Assessment, type Instrument } from "@/lib/assessments";
import { hardNavigate, lastPathSegment, reportHref } from "@/lib/navigation";
import { useLoad } from "@/lib/useLoad";
import { Questionnaire } from "./Questionnaire";

interface Loaded {
  assessment: Assessment;
  instruments: Instrument[];
}

function Loader({ id }: { id: string }) {
  const loaded = useLoad<Loaded>(async () => {
    const assessment = await call(() =>
      api.GET("/v1/assessments/{assessment_id}", { params: { path: { assessment_id: id } } }),
    );
    const keys = [assessment.instrument, ...(assessment.include_work_style ? [WORK_STYLE_KEY] : [])];
    const instruments = await Promise.all(keys.map(loadInstrument));
    return { assessment, instruments };
  }, [id]);

  const submittedReport = loaded.status === "ready" && loaded.data.assessment.status === "submitted" ? loaded.data.assessment.report_id : null;
  useEffect(() => {
    // A finished questionnaire is its report.
    if (submittedReport) hardNavigate(reportHref(submittedReport), true);
  }, [submittedReport]);

  if (loaded.status === "loading") return <Loading label={t("quiz.loading")} />;
  if (loaded.status === "error") {
    return (
      <>
        <h1>{t("quiz.title")}</h1>
        <ErrorNotice
          error={loaded.error}
          title={loaded.error.status === 404 ? t("quiz.notFound") : undefined}
          onRetry={loaded.error.status === 404 ? undefined : loaded.reload}
        />
        <p>
          <a href="/assessments/new">{t("quiz.startNew")}</a>
        </p>
      </>
    );
  }
  if (submittedReport) return <Loading label={t("quiz.openingReport")} />;
  return <Questionnaire assessment={loaded.data.assessment} instruments={loaded.data.instruments} />;
}

export function QuestionnairePage() {
  const [id, setId] = useState<string | null>(null);
  useEffect(() => setId(lastPathSegment()), []);
  if (!id) return <Loading />;
  return (
    <RequireAuth>
      <Loader id={id} />
    </RequireAuth>
  );
}
