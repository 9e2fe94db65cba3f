import { pageMetadata } from "@/lib/metadata";
import { BillingPage } from "./BillingPage";

export const metadata = pageMetadata("meta.billing.title", "meta.billing.description", { index: false });

export default function Page() {
  return <BillingPage />;
}
