import type { ReactNode } from "react";

import { formatNumber } from "@/i18n";
import { t } from "@/i18n/en/signals";
import type { TextSignals } from "./types";

const SIGNAL_KEYS: Record<string, Parameters<typeof t>[0]> = {
  sentiment: "signal.sentiment",
  flesch_reading_ease: "signal.flesch_reading_ease",
  flesch_kincaid_grade: "signal.flesch_kincaid_grade",
  hedging_rate: "signal.hedging_rate",
  certainty_rate: "signal.certainty_rate",
  first_person_singular_rate: "signal.first_person_singular_rate",
  first_person_plural_rate: "signal.first_person_plural_rate",
};

export function signalName(name: string): string {
  const key = SIGNAL_KEYS[name];
  if (key) return t(key);
  if (name.startsWith("emotion_words_")) return t("signal.emotion", { emotion: name.slice("emotion_words_".length) });
  return name.replace(/_/g, " ");
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** The person's text with the words and phrases behind the signals marked. */
export function HighlightedText({ text, phrases }: { text: string; phrases: string[] }) {
  const usable = Array.from(new Set(phrases.filter((phrase) => phrase.trim() && phrase.split(/\s+/).length <= 4))).sort(
    (a, b) => b.length - a.length,
  );
  if (!usable.length) return <div className="free-text">{text}</div>;
  const pattern = new RegExp(`(?<![A-Za-z'])(${usable.map(escapeRegExp).join("|")})(?![A-Za-z'])`, "gi");
  const parts: ReactNode[] = [];
  let last = 0;
  for (const match of text.matchAll(pattern)) {
    const start = match.index ?? 0;
    if (start > last) parts.push(text.slice(last, start));
    parts.push(<mark key={start}>{match[0]}</mark>);
    last = start + match[0].length;
  }
  if (last < text.length) parts.push(text.slice(last));
  return <div className="free-text">{parts}</div>;
}

export default function TextSignalsPanel({ signals, freeText }: { signals: TextSignals; freeText: string | null }) {
  const shown = signals.signals.filter((signal) => signal.evidence.length > 0 || !signal.name.startsWith("emotion_words_"));
  const hidden = signals.signals.length - shown.length;
  return (
    <>
      <div className="notice notice--info">
        <p className="notice__title">{t("signals.exploratory")}</p>
        <p>{t("signals.lead", { words: signals.word_count, sentences: signals.sentence_count })}</p>
      </div>
      {freeText ? (
        <>
          <h3 style={{ marginTop: "1.25rem" }}>{t("signals.yourText")}</h3>
          <HighlightedText text={freeText} phrases={signals.signals.flatMap((signal) => signal.evidence)} />
        </>
      ) : null}
      <h3 style={{ marginTop: "1.25rem" }}>{t("signals.listTitle")}</h3>
      <ul className="signal-list">
        {shown.map((signal) => (
          <li key={signal.name}>
            <div className="row row--between">
              <strong>{signalName(signal.name)}</strong>
              <span style={{ fontVariantNumeric: "tabular-nums" }}>{formatNumber(signal.value, 2)}</span>
            </div>
            <p className="small muted" style={{ margin: "0.2rem 0 0" }}>
              {signal.meaning}
            </p>
            {signal.evidence.length ? (
              <>
                <p className="small" style={{ margin: "0.5rem 0 0", fontWeight: 600 }}>
                  {t("signals.evidence")}
                </p>
                <ul className="chips">
                  {signal.evidence.map((evidence, index) => (
                    <li key={index}>
                      <mark>{evidence}</mark>
                    </li>
                  ))}
                </ul>
              </>
            ) : null}
          </li>
        ))}
      </ul>
      {hidden > 0 ? <p className="small muted">{t("signals.hiddenZero", { count: hidden })}</p> : null}
    </>
  );
}

