import { pageMetadata } from "@/lib/metadata";
import { SharedReportPage } from "./SharedReportPage";

export const metadata = pageMetadata("meta.shared.title", "meta.shared.description", { index: false });

// Exported once as /shared/_ ; the page reads the real token from the address bar.
export const dynamicParams = false;

export function generateStaticParams() {
  return [{ token: "_" }];
}

export default function Page() {
  return <SharedReportPage />;
}
