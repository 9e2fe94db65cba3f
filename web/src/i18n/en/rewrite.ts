import { translator } from "../translator";
import { common } from "./common";

/** The plain-language version of a report's narrative, rewritten by a language model. */
export const rewriteMessages = {
  "rewrite.title": "Plain-language version",
  "rewrite.lead":
    "A language model can rewrite the narrative above in plainer words. Your scores do not change, and nothing is sent unless you agree.",
  "rewrite.open": "Plain-language version",
  "rewrite.sentTo": "Sent to: {host} (model {model})",
  "rewrite.agree": "I agree to send this report's narrative to {host}",
  "rewrite.create": "Rewrite in plain language",
  "rewrite.creating": "Rewriting… this can take up to half a minute.",
  "rewrite.cancel": "Not now",
  "rewrite.label": "Rewritten by a language model",
  "rewrite.labelDetail": "{model} at {host}, {date}. The original narrative is the report's own words; this version may be less precise.",
  "rewrite.showOriginal": "Show the original",
  "rewrite.showRewrite": "Show the plain-language version",
  "rewrite.originalLabel": "Original narrative",
  "rewrite.delete": "Delete the plain-language version",
  "rewrite.deleted": "The plain-language version was deleted.",
  "rewrite.again": "Rewrite again",
  "rewrite.failedTitle": "The rewrite was not kept",
  "rewrite.loadFailed": "Could not check for a plain-language version.",
} as const satisfies Record<string, string>;

export const t = translator({ ...common, ...rewriteMessages });
