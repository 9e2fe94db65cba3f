import { translator } from "../translator";
import { common } from "./common";

/** Pricing, plans and what each includes. */
export const pricingMessages = {
  "pricing.title": "Simple plans. Your result is always free.",
  "pricing.lead": "The free plan gives you the whole report of the Mini-IPIP. Pro adds the longer questionnaire with 30 facets and tools to follow change over time.",
  "pricing.forever": "forever",
  "pricing.save": "Save {amount}",
  "pricing.current": "Your plan",
  "pricing.freeBlurb": "A short, validated questionnaire and its complete, explainable report.",
  "pricing.proBlurb": "The 120-statement IPIP-NEO with facet scores, comparisons over time and share links.",
  "pricing.everythingFree": "Everything in Free, plus:",
  "pricing.choose": "Choose {plan}",
  "pricing.startFree": "Start for free",
  "pricing.cancelNote": "Cancel any time from your account; Pro stays on until the end of the period you paid for. Prices in US dollars.",
  "pricing.matrix.title": "What is free and what is Pro",
  "pricing.matrix.lead": "Exporting and deleting your data are included in every plan, and stay available if a payment fails.",
  "pricing.matrix.caption": "Features included in each plan",
  "pricing.matrix.feature": "Feature",
  "pricing.faq.title": "Questions",
  "pricing.faq.1.q": "Is the result behind a paywall?",
  "pricing.faq.1.a": "No. The free Mini-IPIP comes with its full report: scores, intervals, the validity check and the evidence behind every statement — and every report prints to a clean PDF.",
  "pricing.faq.2.q": "What does the longer questionnaire add?",
  "pricing.faq.2.a": "The IPIP-NEO-120 measures 30 facets, six within each of the five domains, with published norms by sex and age — a finer picture than five broad scores.",
  "pricing.faq.3.q": "What happens to my data if I cancel?",
  "pricing.faq.3.a": "Your reports stay yours. You can still open, export and delete them on the free plan.",
  "feature.instrument:mini-ipip": "Mini-IPIP: 20 statements, the Big Five, full report",
  "feature.instrument:ipip-50": "IPIP-50: 50 statements, more reliable Big Five scores, full report",
  "feature.instrument:work-style": "Optional work-style statements (un-normed)",
  "feature.reports:history": "Your history of reports",
  "feature.privacy:export": "Export all your data as JSON",
  "feature.privacy:delete": "Delete your data or your account",
  "feature.instrument:ipip-neo-120": "IPIP-NEO-120: 120 statements, 5 domains and 30 facets",
  "feature.reports:compare": "Compare reports over time, beyond measurement error",
  "feature.reports:share": "Share a read-only link (scores only), revocable",
} as const satisfies Record<string, string>;

export const t = translator({ ...common, ...pricingMessages });
