/** The whole English catalog in one object (for review and tests; pages import their area). */
import { accountMessages } from "./account";
import { authMessages } from "./auth";
import { common } from "./common";
import { historyMessages } from "./history";
import { homeMessages } from "./home";
import { metaMessages } from "./meta";
import { pricingMessages } from "./pricing";
import { quizMessages } from "./quiz";
import { reportMessages } from "./report";
import { reportDetailsMessages } from "./reportDetails";
import { rewriteMessages } from "./rewrite";
import { shareMessages } from "./share";
import { signalsMessages } from "./signals";
import { startMessages } from "./start";

export const en = {
  ...common,
  ...metaMessages,
  ...homeMessages,
  ...pricingMessages,
  ...authMessages,
  ...startMessages,
  ...quizMessages,
  ...reportMessages,
  ...reportDetailsMessages,
  ...shareMessages,
  ...rewriteMessages,
  ...signalsMessages,
  ...historyMessages,
  ...accountMessages,
};

export type MessageKey = keyof typeof en;
