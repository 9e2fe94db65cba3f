import { pageMetadata } from "@/lib/metadata";
import { ComparePage } from "./ComparePage";

export const metadata = pageMetadata("meta.compare.title", "meta.compare.description", { index: false });

export default function Page() {
  return <ComparePage />;
}
