import { translator } from "../translator";
import { common } from "./common";

/** Page titles and descriptions, and the 404 page (server-rendered only). */
export const metaMessages = {
  "meta.home.title": "Insight Atlas — understand yourself, with the evidence showing",
  "meta.home.description":
    "A consent-first personality questionnaire (Mini-IPIP, IPIP-NEO-120) with an explainable report: every score traceable to your answers, honest about uncertainty, never a diagnosis.",
  "meta.pricing.title": "Pricing",
  "meta.pricing.description": "Free: the Mini-IPIP and its full report. Pro ($19 a month or $190 a year): the 120-item IPIP-NEO with 30 facets, comparisons over time and share links.",
  "meta.signup.title": "Create an account",
  "meta.signup.description": "Create a free Insight Atlas account to take the Mini-IPIP and keep your reports.",
  "meta.signin.title": "Sign in",
  "meta.signin.description": "Sign in to Insight Atlas to see your reports or continue a questionnaire.",
  "meta.forgot.title": "Forgot your password",
  "meta.forgot.description": "Get a link by e-mail to choose a new Insight Atlas password.",
  "meta.reset.title": "Choose a new password",
  "meta.reset.description": "Set a new password for your Insight Atlas account.",
  "meta.newAssessment.title": "Take a questionnaire",
  "meta.newAssessment.description": "Choose a questionnaire, read what you consent to, and start. The Mini-IPIP is free; the IPIP-NEO-120 comes with Pro.",
  "meta.questionnaire.title": "Questionnaire",
  "meta.questionnaire.description": "Answer the statements at your own pace; your answers are saved as you go.",
  "meta.report.title": "Your report",
  "meta.report.description": "Your personality report: scores with norms and 95 % intervals, validity checks and the evidence behind every statement.",
  "meta.reports.title": "My reports",
  "meta.reports.description": "Your reports over time: open, compare or delete them.",
  "meta.compare.title": "Compare two reports",
  "meta.compare.description": "What changed between two of your reports, and whether it is larger than measurement error.",
  "meta.shared.title": "Shared report",
  "meta.shared.description": "A personality report someone shared with you: scores only, no answers or identity.",
  "meta.account.title": "Account",
  "meta.account.description": "Your profile, password and data: export, purge or delete your account.",
  "meta.billing.title": "Plan and billing",
  "meta.billing.description": "Your Insight Atlas plan, renewal date and payment status.",
  "meta.notFound.title": "Page not found",
  "meta.notFound.description": "This page does not exist on Insight Atlas. The address may be mistyped, or the page may have moved.",
  "notFound.title": "This page does not exist",
  "notFound.text": "The address may be mistyped, or the page may have moved.",
  "notFound.home": "Go to the home page",
} as const satisfies Record<string, string>;

export const t = translator({ ...common, ...metaMessages });
