"use client";

import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import type { FormEvent } from "react";

import { api, authedFetch, call } from "@/api/client";
import { asApiError, type ApiError } from "@/api/errors";
import { t } from "@/i18n/en/quiz";
import { freeTextLimit, type Assessment, type Instrument } from "@/lib/assessments";
import { hardNavigate, reportHref } from "@/lib/navigation";
import { useNumberKeysPreference } from "@/lib/preferences";
import { ItemGroup } from "./ItemGroup";
import { FinishPage } from "./FinishPage";
import { buildPages, firstPageToResume, type QuizItem, type QuizPage } from "./pages";
import { useResponseSaver } from "./useResponseSaver";

interface Props {
  assessment: Assessment;
  instruments: Instrument[];
}

const MAX_SECONDS = 86_400;

export function Questionnaire({ assessment, instruments }: Props) {
  const pages = useMemo(() => buildPages(assessment, instruments), [assessment, instruments]);
  const itemCount = useMemo(() => pages.reduce((sum, page) => sum + page.items.length, 0), [pages]);
  const answerScale = instruments[0]?.answer_scale ?? [];
  const [answers, setAnswers] = useState<Record<string, number>>(() => ({ ...assessment.answers }));
  const [pageIndex, setPageIndex] = useState(() => firstPageToResume(pages, assessment.answers));
  const [missing, setMissing] = useState<string[]>([]);
  const [freeText, setFreeText] = useState(assessment.free_text ?? "");
  const [numberKeys, setNumberKeys] = useNumberKeysPreference();
  const [submitting, setSubmitting] = useState(false);
  const [submitError, setSubmitError] = useState<ApiError | null>(null);
  const headingRef = useRef<HTMLHeadingElement>(null);
  const missingRef = useRef<HTMLDivElement>(null);
  const firstRender = useRef(true);

  // Timings: seconds per item (to its first answer) and per page (time shown), as the API takes them.
  const itemSeconds = useRef<Record<string, number>>({ ...assessment.item_seconds });
  const pageSeconds = useRef<Record<number, number>>(seedPageSeconds(pages, assessment.pages));
  const pageShownAt = useRef(performance.now());
  const lastAnswerAt = useRef(performance.now());

  const pagesPayload = useCallback(
    () =>
      pages
        .map((page, index) => ({ page, seconds: pageSeconds.current[index] ?? 0 }))
        .filter(({ page, seconds }) => page.items.length > 0 && seconds > 0)
        .map(({ page, seconds }) => ({
          item_ids: page.items.map((item) => item.id),
          seconds: Math.min(MAX_SECONDS, Math.round(seconds * 10) / 10),
        })),
    [pages],
  );

  const saver = useResponseSaver(assessment.id, pagesPayload);
  const totalPages = pages.length;
  const page: QuizPage | undefined = pages[pageIndex];
  const answeredCount = pages.reduce(
    (sum, p) => sum + p.items.filter((item) => answers[item.id] !== undefined).length,
    0,
  );

  useEffect(() => {
    pageShownAt.current = performance.now();
    lastAnswerAt.current = pageShownAt.current;
    if (firstRender.current) {
      firstRender.current = false;
      return;
    }
    window.scrollTo({ top: 0 });
    headingRef.current?.focus({ preventScroll: true });
  }, [pageIndex]);

  function leavePage() {
    const now = performance.now();
    const seconds = (now - pageShownAt.current) / 1000;
    if (page && page.items.length > 0 && seconds > 0) {
      pageSeconds.current[pageIndex] = (pageSeconds.current[pageIndex] ?? 0) + seconds;
      saver.markPagesChanged();
    }
    pageShownAt.current = now;
  }

  const answer = useCallback(
    (item: QuizItem, value: number) => {
      setAnswers((previous) => ({ ...previous, [item.id]: value }));
      setMissing((previous) => previous.filter((id) => id !== item.id));
      const now = performance.now();
      const timing: Record<string, number> = {};
      if (itemSeconds.current[item.id] === undefined) {
        const seconds = Math.min(MAX_SECONDS, Math.round(((now - lastAnswerAt.current) / 1000) * 10) / 10);
        itemSeconds.current[item.id] = seconds;
        timing[item.id] = seconds;
      }
      lastAnswerAt.current = now;
      saver.queueAnswer(item.id, value, timing);
    },
    [saver],
  );

  function goTo(index: number) {
    leavePage();
    void saver.flush().catch(() => undefined);
    setMissing([]);
    setPageIndex(index);
  }

  function next(event: FormEvent) {
    event.preventDefault();
    if (!page) return;
    const unanswered = page.items.filter((item) => answers[item.id] === undefined).map((item) => item.id);
    if (unanswered.length) {
      setMissing(unanswered);
      requestAnimationFrame(() => missingRef.current?.focus());
      return;
    }
    goTo(Math.min(pageIndex + 1, totalPages - 1));
  }

  function focusItem(id: string) {
    const target = document.querySelector<HTMLInputElement>(`input[name="item-${CSS.escape(id)}"]`);
    target?.focus();
  }

  async function submit() {
    setSubmitting(true);
    setSubmitError(null);
    leavePage();
    try {
      saver.queueFreeText(freeText);
      await saver.flush();
      const response = await authedFetch(`/v1/assessments/${encodeURIComponent(assessment.id)}/submit`, {
        method: "POST",
      });
      const document = (await response.json()) as { id: string };
      hardNavigate(reportHref(document.id));
    } catch (caught) {
      const error = asApiError(caught);
      if (error.code === "already_submitted") {
        // The earlier attempt went through (its answer was lost on the way): open that report.
        try {
          const current = await call(() =>
            api.GET("/v1/assessments/{assessment_id}", { params: { path: { assessment_id: assessment.id } } }),
          );
          if (current.report_id) {
            hardNavigate(reportHref(current.report_id));
            return;
          }
        } catch {
          // Fall through to the message.
        }
      }
      if (error.code === "incomplete_assessment") {
        const ids = error.details.unanswered_item_ids;
        if (Array.isArray(ids)) setMissing(ids.filter((id): id is string => typeof id === "string"));
      }
      setSubmitError(error);
      setSubmitting(false);
    }
  }

  if (!page) return null;
  const isFinish = page.kind === "finish";
  const progress = itemCount ? Math.round((answeredCount / itemCount) * 100) : 0;
  const missingOnPage = page.items.filter((item) => missing.includes(item.id));

  return (
    <div className={`reading centered${numberKeys ? " keys-on" : ""}`} style={{ maxWidth: "52rem" }}>
      <div className="progress">
        <div className="progress__text">
          <span>
            <strong>{t("quiz.pageOf", { page: pageIndex + 1, pages: totalPages })}</strong>
            {page.title ? ` · ${page.title}` : ""}
          </span>
          <span>{t("quiz.answeredOf", { answered: answeredCount, total: itemCount })}</span>
        </div>
        <div
          className="progress__track"
          role="progressbar"
          aria-label={t("quiz.progressLabel")}
          aria-valuemin={0}
          aria-valuemax={itemCount}
          aria-valuenow={answeredCount}
          aria-valuetext={t("quiz.answeredOf", { answered: answeredCount, total: itemCount })}
        >
          <div className="progress__fill" style={{ width: `${progress}%` }} />
        </div>
      </div>

      <h1 className="visually-hidden">{t("quiz.title")}</h1>
      <h2 ref={headingRef} tabIndex={-1} style={{ fontSize: "1.35rem" }}>
        {isFinish
          ? t("quiz.finishTitle")
          : t("quiz.pageHeading", {
              first: page.items[0]?.position ?? 0,
              last: page.items[page.items.length - 1]?.position ?? 0,
              total: itemCount,
            })}
      </h2>

      {isFinish ? (
        <FinishPage
          pages={pages}
          answers={answers}
          freeText={freeText}
          freeTextLimit={freeTextLimit(assessment)}
          onFreeTextChange={(value) => {
            setFreeText(value);
            saver.queueFreeText(value, 1500);
          }}
          onGoToPage={(index) => goTo(index)}
          onBack={() => goTo(pageIndex - 1)}
          onSubmit={submit}
          submitting={submitting}
          submitError={submitError}
          missing={missing}
          saveState={saver.state}
        />
      ) : (
        <form onSubmit={next} noValidate>
          <p className="muted" style={{ marginTop: 0 }}>
            {t("quiz.instructions")}
          </p>
          {missingOnPage.length ? (
            <div className="notice notice--error" role="alert" tabIndex={-1} ref={missingRef} style={{ marginBottom: "1rem" }}>
              <p className="notice__title">{t("quiz.missingTitle", { count: missingOnPage.length })}</p>
              <ul style={{ margin: 0 }}>
                {missingOnPage.map((item) => (
                  <li key={item.id}>
                    <button type="button" className="linklike" onClick={() => focusItem(item.id)}>
                      {t("quiz.statementNumber", { number: item.position })}: {item.text}
                    </button>
                  </li>
                ))}
              </ul>
            </div>
          ) : null}
          <ol className="items">
            {page.items.map((item) => (
              <li key={item.id}>
                <ItemGroup
                  item={item}
                  scale={answerScale}
                  value={answers[item.id]}
                  missing={missing.includes(item.id)}
                  numberKeys={numberKeys}
                  onAnswer={answer}
                />
              </li>
            ))}
          </ol>
          <div className="quiz-actions">
            <div className="row">
              {pageIndex > 0 ? (
                <button type="button" className="button button--secondary" onClick={() => goTo(pageIndex - 1)}>
                  {t("quiz.back")}
                </button>
              ) : null}
              <button type="submit" className="button">
                {pageIndex + 1 === totalPages - 1 ? t("quiz.toFinish") : t("quiz.next")}
              </button>
            </div>
            <SaveIndicator state={saver.state} error={saver.error} onRetry={() => void saver.flush().catch(() => undefined)} />
          </div>
          <label className="switch" style={{ marginTop: "1.5rem" }}>
            <input type="checkbox" checked={numberKeys} onChange={(event) => setNumberKeys(event.target.checked)} />
            <span>{t("quiz.numberKeys")}</span>
          </label>
        </form>
      )}
    </div>
  );
}

function seedPageSeconds(pages: QuizPage[], saved: Assessment["pages"]): Record<number, number> {
  const seconds: Record<number, number> = {};
  for (const entry of saved) {
    const ids = Array.isArray(entry.item_ids) ? (entry.item_ids as unknown[]).join("|") : "";
    const index = pages.findIndex((page) => page.items.map((item) => item.id).join("|") === ids);
    if (index >= 0 && typeof entry.seconds === "number") seconds[index] = entry.seconds;
  }
  return seconds;
}

export function SaveIndicator({
  state,
  error,
  onRetry,
}: {
  state: "saved" | "saving" | "unsaved" | "error";
  error: ApiError | null;
  onRetry: () => void;
}) {
  if (state === "error" && error) {
    return (
      <div className="save-state" role="alert">
        <span style={{ color: "var(--danger)", fontWeight: 600 }}>{t("quiz.saveFailed")}</span> {error.message}{" "}
        <button type="button" className="linklike" onClick={onRetry}>
          {t("quiz.saveRetry")}
        </button>
      </div>
    );
  }
  const text = state === "saving" ? t("quiz.saving") : state === "unsaved" ? t("quiz.unsaved") : t("quiz.saved");
  return (
    <div className="save-state" aria-live="polite">
      {text}
    </div>
  );
}

