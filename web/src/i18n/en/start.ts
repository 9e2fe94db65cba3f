import { translator } from "../translator";
import { common } from "./common";

/** Choosing a questionnaire and the consent screen. */
export const startMessages = {
  "start.eyebrow": "Take a questionnaire",
  "start.title": "Choose a questionnaire",
  "start.lead": "Each is a published, public-domain questionnaire. You will see exactly what you consent to before anything starts.",
  "start.loading": "Loading questionnaires…",
  "start.chooseTitle": "Questionnaires",
  "start.meta": "{items} statements · about {minutes} minutes",
  "start.choose": "Choose {title}",
  "start.upgrade": "Upgrade to Pro",
  "start.upgradeNote": "Included in Pro Monthly and Pro Yearly.",
  "start.proNote": "Included in Pro.",
  "start.freeForever": "The Mini-IPIP, the IPIP-50 and their full reports are free, always.",
  "start.resume.title": "Continue where you left off",
  "instrument.mini-ipip.about": "The five broad personality domains in 20 statements (Donnellan et al., 2006). A quick, rough snapshot in about 4 minutes.",
  "instrument.ipip-50.about": "The five broad domains in 50 statements (Goldberg's Big-Five markers). About 10 minutes for clearly more reliable domain scores than the Mini-IPIP.",
  "instrument.ipip-neo-120.about": "The five domains and 30 facets in 120 statements (Johnson, 2014), compared with published norms for your sex and age group. Choose it for the facets.",
  "consent.back": "Choose another questionnaire",
  "consent.title": "Before you start",
  "consent.lead": "{items} statements, about {minutes} minutes. Your answers are saved as you go, so you can stop and continue later.",
  "consent.loading": "Loading the consent text…",
  "consent.textTitle": "What you agree to",
  "consent.version": "(version {version})",
  "consent.optionalTitle": "Optional: work style",
  "consent.workStyle": "Also answer {items} statements about how you like to work (about {minutes} more minutes).",
  "consent.workStyleHint": "Shown as raw averages only: there are no published norms for these statements.",
  "consent.normsTitle": "Optional: compare with the right group",
  "consent.normsExplain":
    "Scores are compared with a reference group. Giving your sex and age picks the matching group (published norms for the IPIP-NEO-120, norms derived from an open online sample for the Mini-IPIP and IPIP-50); without them, a combined group is used. They are used for nothing else and never appear on shared links.",
  "consent.sex": "Sex (for norms)",
  "consent.sexUnsaid": "Prefer not to say",
  "consent.sexFemale": "Female",
  "consent.sexMale": "Male",
  "consent.age": "Age (optional)",
  "consent.ageInvalid": "Enter an age between 10 and 120, or leave it empty.",
  "consent.agree": "I have read this text and I agree (consent version {version}).",
  "consent.mustAgree": "Tick the box to give your consent; nothing starts without it.",
  "consent.start": "Start the questionnaire",
  "consent.starting": "Starting…",
  "consent.saveNote": "Answers are saved as you go.",
  "consent.accountNeeded": "A free account keeps your answers safe",
  "consent.accountWhy": "Your answers are saved to your account as you go, so a closed tab or a lost connection never costs you a finished test.",
  "consent.createAccount": "Create a free account",
} as const satisfies Record<string, string>;

export const t = translator({ ...common, ...startMessages });
