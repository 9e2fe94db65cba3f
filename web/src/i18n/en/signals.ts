import { translator } from "../translator";
import { common } from "./common";

/** Free-text signals of a report (loaded only when the person wrote text). */
export const signalsMessages = {
  "signals.exploratory": "Exploratory: about the writing, not about you",
  "signals.lead":
    "Computed from your text ({words} words, {sentences} sentences) with simple, published methods. They describe wording only and never change your questionnaire scores.",
  "signals.yourText": "Your text, with the words behind the signals highlighted",
  "signals.listTitle": "Signals",
  "signals.evidence": "Words that produced it:",
  "signals.hiddenZero": "{count} emotion-word counts were zero and are not listed.",
  "signal.sentiment": "Overall tone",
  "signal.flesch_reading_ease": "Reading ease",
  "signal.flesch_kincaid_grade": "Reading grade level",
  "signal.hedging_rate": "Hedging words",
  "signal.certainty_rate": "Certainty words",
  "signal.first_person_singular_rate": "“I”, “me”, “my”",
  "signal.first_person_plural_rate": "“We”, “us”, “our”",
  "signal.emotion": "Words of {emotion}",
} as const satisfies Record<string, string>;

export const t = translator({ ...common, ...signalsMessages });
