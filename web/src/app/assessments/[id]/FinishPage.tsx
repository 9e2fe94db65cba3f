"use client";

import { useId } from "react";

import type { ApiError } from "@/api/errors";
import { ErrorNotice } from "@/components/ErrorNotice";
import { formatNumber } from "@/i18n";
import { t } from "@/i18n/en/quiz";
import type { QuizPage } from "./pages";
import type { SaveState } from "./useResponseSaver";

interface Props {
  pages: QuizPage[];
  answers: Record<string, number>;
  freeText: string;
  freeTextLimit: number;
  onFreeTextChange: (value: string) => void;
  onGoToPage: (index: number) => void;
  onBack: () => void;
  onSubmit: () => void;
  submitting: boolean;
  submitError: ApiError | null;
  missing: string[];
  saveState: SaveState;
}

export function FinishPage(props: Props) {
  const id = useId();
  const { pages, answers, freeText, freeTextLimit } = props;
  const unanswered = pages.flatMap((page, index) =>
    page.items.filter((item) => answers[item.id] === undefined).map((item) => ({ item, index })),
  );
  const total = pages.reduce((sum, page) => sum + page.items.length, 0);
  const remaining = freeTextLimit - freeText.length;
  const near = remaining <= Math.max(100, freeTextLimit * 0.05);

  return (
    <div className="stack">
      <section className="card stack" aria-labelledby={`${id}-text`}>
        <h3 id={`${id}-text`} style={{ marginBottom: 0 }}>
          {t("finish.textTitle")} <span className="badge badge--muted">{t("common.optional")}</span>
        </h3>
        <p className="muted" style={{ margin: 0 }}>
          {t("finish.textLead")}
        </p>
        <div className="field">
          <label htmlFor={`${id}-textarea`}>{t("finish.textLabel")}</label>
          <textarea
            id={`${id}-textarea`}
            value={freeText}
            maxLength={freeTextLimit}
            onChange={(event) => props.onFreeTextChange(event.target.value)}
            aria-describedby={`${id}-count ${id}-text-hint`}
            rows={6}
          />
          <p className="hint" id={`${id}-text-hint`}>
            {t("finish.textHint")}
          </p>
          <p className={`char-count${near ? " char-count--near" : ""}`} id={`${id}-count`}>
            {t("finish.count", { used: freeText.length, limit: freeTextLimit })}
          </p>
          {/* Announced only near the limit, so typing is not talked over. */}
          <p className="visually-hidden" aria-live="polite">
            {near ? t("finish.remaining", { remaining: formatNumber(Math.max(0, remaining)) }) : ""}
          </p>
        </div>
      </section>

      <section className="card stack" aria-labelledby={`${id}-review`}>
        <h3 id={`${id}-review`} style={{ marginBottom: 0 }}>
          {t("finish.reviewTitle")}
        </h3>
        {unanswered.length === 0 ? (
          <p style={{ margin: 0 }}>{t("finish.allAnswered", { total })}</p>
        ) : (
          <div className="notice notice--warn">
            <p className="notice__title">{t("finish.someMissing", { count: unanswered.length })}</p>
            <ul style={{ margin: 0 }}>
              {unanswered.slice(0, 12).map(({ item, index }) => (
                <li key={item.id}>
                  <button type="button" className="linklike" onClick={() => props.onGoToPage(index)}>
                    {t("finish.goToStatement", { number: item.position, page: index + 1 })}
                  </button>
                </li>
              ))}
            </ul>
          </div>
        )}
        <p className="small muted" style={{ margin: 0 }}>
          {t("finish.submitNote")}
        </p>
        {props.submitError ? (
          <ErrorNotice
            error={props.submitError}
            title={t("finish.submitFailed")}
            onRetry={props.onSubmit}
            retryLabel={t("finish.retrySubmit")}
          />
        ) : null}
        <div className="quiz-actions" style={{ marginTop: 0 }}>
          <button type="button" className="button button--secondary" onClick={props.onBack} disabled={props.submitting}>
            {t("quiz.back")}
          </button>
          <button
            type="button"
            className="button"
            onClick={props.onSubmit}
            disabled={props.submitting || unanswered.length > 0}
            aria-describedby={unanswered.length > 0 ? `${id}-review` : undefined}
          >
            {props.submitting ? t("finish.submitting") : t("finish.submit")}
          </button>
        </div>
        <div aria-live="polite" className="save-state">
          {props.submitting ? t("finish.submittingLong") : props.saveState === "error" ? t("quiz.saveFailed") : ""}
        </div>
      </section>
    </div>
  );
}
