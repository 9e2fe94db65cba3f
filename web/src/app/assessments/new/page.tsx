import { pageMetadata } from "@/lib/metadata";
import { StartAssessment } from "./StartAssessment";

export const metadata = pageMetadata("meta.newAssessment.title", "meta.newAssessment.description");

export default function NewAssessmentPage() {
  return <StartAssessment />;
}
