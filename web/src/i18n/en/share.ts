import { translator } from "../translator";
import { common } from "./common";

/** The share-link dialog of a report (loaded when opened). */
export const shareMessages = {
  "share.title": "Share a read-only link",
  "share.lead": "Anyone with the link sees your scores, norms and the narrative — never your answers, your text, your age or sex, or who you are. You can revoke it at any time.",
  "share.daysLabel": "Link stops working after",
  "share.day": "{days} day",
  "share.days": "{days} days",
  "share.create": "Create link",
  "share.created": "Link created. Copy it and send it to whoever you choose.",
  "share.urlLabel": "Share link",
  "share.copy": "Copy link",
  "share.copied": "Link copied.",
  "share.copyManually": "Copying is blocked here: the link is selected, press Ctrl+C or ⌘C.",
  "share.expires": "Works until {date}.",
  "share.revoke": "Revoke all links",
  "share.revoked": "Every link to this report has stopped working.",
} as const satisfies Record<string, string>;

export const t = translator({ ...common, ...shareMessages });
