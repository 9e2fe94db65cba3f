import { translator } from "../translator";
import { common } from "./common";

/** The questionnaire and its last page. */
export const quizMessages = {
  "quiz.title": "Questionnaire",
  "quiz.loading": "Loading your questionnaire…",
  "quiz.notFound": "This questionnaire could not be found.",
  "quiz.startNew": "Start a questionnaire",
  "quiz.openingReport": "This questionnaire is finished. Opening its report…",
  "quiz.pageOf": "Page {page} of {pages}",
  "quiz.pageHeading": "Statements {first} to {last} of {total}",
  "quiz.answeredOf": "{answered} of {total} answered",
  "quiz.progressLabel": "Statements answered",
  "quiz.instructions":
    "How accurately does each statement describe you as you generally are now — not as you wish to be? There are no right or wrong answers.",
  "quiz.statementNumber": "Statement {number}",
  "quiz.pleaseAnswer": "Please choose an answer for this statement.",
  "quiz.missingTitle": "Please answer the statements marked below before going on ({count} left on this page).",
  "quiz.workStyleSection": "Work style",
  "quiz.back": "Back",
  "quiz.next": "Next page",
  "quiz.toFinish": "Continue to finish",
  "quiz.saving": "Saving…",
  "quiz.saved": "All answers saved",
  "quiz.unsaved": "Saving shortly…",
  "quiz.saveFailed": "Not saved yet.",
  "quiz.saveRetry": "Save now",
  "quiz.numberKeys": "Use number keys 1–5 to answer the focused statement",
  "quiz.finishTitle": "Almost done",
  "finish.textTitle": "In your own words",
  "finish.textLead":
    "If you like, describe how you work, relax or deal with others. The report shows a few exploratory signals about the writing (tone, hedging, reading ease) with the exact words behind them. They never change your questionnaire scores.",
  "finish.textLabel": "Your text",
  "finish.textHint": "Stored encrypted; you can leave this empty.",
  "finish.count": "{used} / {limit} characters",
  "finish.remaining": "{remaining} characters left",
  "finish.reviewTitle": "Check and submit",
  "finish.allAnswered": "All {total} statements are answered.",
  "finish.someMissing": "{count} statements still need an answer:",
  "finish.goToStatement": "Statement {number} (page {page})",
  "finish.submitNote": "Submitting computes your report. It cannot be changed afterwards, but you can delete it at any time.",
  "finish.submit": "Submit and see my report",
  "finish.submitting": "Computing your report…",
  "finish.submittingLong": "Computing your report. This takes a moment.",
  "finish.submitFailed": "Your report could not be created yet. All your answers are kept, here and on the server.",
  "finish.retrySubmit": "Retry submitting",
} as const satisfies Record<string, string>;

export const t = translator({ ...common, ...quizMessages });
