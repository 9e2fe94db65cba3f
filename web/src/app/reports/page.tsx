import { pageMetadata } from "@/lib/metadata";
import { HistoryPage } from "./HistoryPage";

export const metadata = pageMetadata("meta.reports.title", "meta.reports.description", { index: false });

export default function ReportsPage() {
  return <HistoryPage />;
}
