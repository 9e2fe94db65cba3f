import { pageMetadata } from "@/lib/metadata";
import { ReportPage } from "./ReportPage";

export const metadata = pageMetadata("meta.report.title", "meta.report.description", { index: false });

// Exported once as /reports/_ ; the page reads the real id from the address bar.
export const dynamicParams = false;

export function generateStaticParams() {
  return [{ id: "_" }];
}

export default function Page() {
  return <ReportPage />;
}
