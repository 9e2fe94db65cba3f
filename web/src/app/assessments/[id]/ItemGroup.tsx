"use client";

import { memo } from "react";
import type { KeyboardEvent } from "react";

import { t } from "@/i18n/en/quiz";
import type { Instrument } from "@/lib/assessments";
import type { QuizItem } from "./pages";

interface Props {
  item: QuizItem;
  scale: Instrument["answer_scale"];
  value: number | undefined;
  missing: boolean;
  numberKeys: boolean;
  onAnswer: (item: QuizItem, value: number) => void;
}

/**
 * One statement: a fieldset whose legend is the statement, and five native radios labelled
 * with the anchors. Arrow keys move between answers (the browser's radio group); with the
 * switch on, 1–5 pick an answer. Nothing advances on its own.
 */
export const ItemGroup = memo(function ItemGroup({ item, scale, value, missing, numberKeys, onAnswer }: Props) {
  const name = `item-${item.id}`;
  const legendId = `${name}-legend`;

  function onKeyDown(event: KeyboardEvent<HTMLFieldSetElement>) {
    const target = event.target as HTMLInputElement;
    if (target.type !== "radio") return;
    if (event.key === "Enter") {
      // Enter goes on to the next page, never picks an answer.
      event.preventDefault();
      target.form?.requestSubmit();
      return;
    }
    if (!numberKeys || event.altKey || event.ctrlKey || event.metaKey) return;
    const chosen = scale.find((option) => String(option.value) === event.key);
    if (!chosen) return;
    event.preventDefault();
    onAnswer(item, chosen.value);
    const radio = event.currentTarget.querySelector<HTMLInputElement>(`input[value="${chosen.value}"]`);
    radio?.focus();
  }

  return (
    <fieldset
      className={`item${missing ? " item--missing" : ""}`}
      onKeyDown={onKeyDown}
      aria-describedby={missing ? `${name}-missing` : undefined}
    >
      <legend id={legendId}>
        <span className="item__number" aria-hidden="true">
          {item.position}.
        </span>
        <span>
          <span className="visually-hidden">{t("quiz.statementNumber", { number: item.position })}: </span>
          {item.text}
        </span>
      </legend>
      {missing ? (
        <p className="form-error-text" id={`${name}-missing`} style={{ marginBottom: "0.5rem" }}>
          {t("quiz.pleaseAnswer")}
        </p>
      ) : null}
      <div className="scale">
        {scale.map((option) => (
          <label key={option.value} className="scale__option">
            <input
              type="radio"
              name={name}
              value={option.value}
              checked={value === option.value}
              onChange={() => onAnswer(item, option.value)}
            />
            <span>{option.label}</span>
            <span className="scale__key" aria-hidden="true">
              {option.value}
            </span>
          </label>
        ))}
      </div>
    </fieldset>
  );
});
