import { translator } from "../translator";
import { common } from "./common";

/** The report, its sections, share links and the shared view. */
export const reportMessages = {
  "report.title": "Your report",
  "report.sharedTitle": "A shared report",
  "report.loading": "Loading the report…",
  "report.notFound": "This report could not be found. It may have been deleted.",
  "report.meta": "Completed {date}",
  "report.normsShort": "compared with {group}",
  "report.printedFrom": "Personality report — a self-reflection aid, not a diagnosis",
  "report.print": "Print / Save as PDF",
  "report.deleteText": "The report, the answers it was computed from and any share links are deleted for good. This cannot be undone.",
  "report.disclaimerFallback": "This report is a self-reflection aid, not a diagnosis.",
  "report.uncertainty":
    "Every score is an estimate: the shaded range around it is the 95 % interval, where your score would likely fall if you answered again.",
  "report.uncertaintyShared":
    "Every score is an estimate: the shaded range around it is the 95 % interval, where the score would likely fall if the questionnaire were answered again.",
  "report.validityHeadsUp": "Read with care",
  "report.seeValidity": "See the answer check.",
  "report.summaryTitle": "Summary",
  "report.summaryLead": "The five broad domains, each compared with {group}. A percentile says how many people in that group scored lower: the 70th percentile means higher than 70 in 100.",
  "report.summaryLeadNoNorms": "The five broad domains.",
  "report.summaryLeadDescribed":
    "The five broad domains. {description} A percentile says how many people in the reference group scored lower: the 70th percentile means higher than 70 in 100.",
  "report.figures": "{band} · {percentile} percentile (95 % interval: {low} to {high})",
  "report.percentileShort": "{percentile} percentile",
  "report.intervalShort": "95 % interval: {low} to {high}",
  "report.rawAndT": "Raw {raw} · T {t}",
  "report.tOnly": "T {t}",
  "report.rawMean": "Average answer {raw} on the 1–5 scale",
  "report.belowFirst": "below the 1st",
  "report.aboveNinetyNinth": "above the 99th",
  "report.prorated": "one answer missing",
  "report.legend.label": "How to read the bars",
  "report.legend.score": "Your score",
  "report.legend.interval": "95 % interval",
  "report.legend.average": "Average band (T 45–55)",
  "report.legend.axis": "Left to right: percentile 0 to 100",
  "report.signalsTitle": "Your writing",
  "band.low": "Low",
  "band.average": "Average",
  "band.high": "High",
  "band.none": "No band",
  "norms.placeholderGroup": "a placeholder reference group",
  "norms.placeholderTitle": "Rough comparison only",
  "norms.placeholderText":
    "This questionnaire's published norms are not built in yet, so scores are compared with a placeholder reference (mean 3.0, SD 0.8). Read percentiles and bands as a rough orientation, not as a comparison with a real group.",
  "norms.sampleText": "The comparison group comes from an {sample}; its norms are derived by this project from open data, not published norms.",
  "norms.derivedText": "The comparison group combines the published men's and women's norms for your age band (a project-derived mixture, not published as such).",
  "validity.overall.valid": "Your answers look attentive and consistent; the checks found nothing unusual.",
  "validity.overall.caution": "Some answer patterns were unusual, so parts of this report may fit less well. That can happen for many reasons, such as statements read quickly.",
  "validity.overall.invalid": "The answer pattern suggests the questionnaire may not have been answered carefully. Treat this report as unreliable; taking it again is free.",
  "share.open": "Share",
  "shared.note": "Shared by its owner as a read-only view: scores only, no answers or identity. The link works until {date}.",
  "shared.unavailableTitle": "This link does not work",
  "shared.unavailable": "This link is invalid, has expired or was revoked by the person who shared it.",
  "shared.learnMore": "What is Insight Atlas?",
} as const satisfies Record<string, string>;

export const t = translator({ ...common, ...reportMessages });
