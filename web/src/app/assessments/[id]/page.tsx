import { pageMetadata } from "@/lib/metadata";
import { QuestionnairePage } from "./QuestionnairePage";

export const metadata = pageMetadata("meta.questionnaire.title", "meta.questionnaire.description", { index: false });

// One page is exported for every assessment id (`/assessments/_`); the server serves it for
// any id, and the page reads the real id from the address bar.
export const dynamicParams = false;

export function generateStaticParams() {
  return [{ id: "_" }];
}

export default function AssessmentPage() {
  return <QuestionnairePage />;
}
