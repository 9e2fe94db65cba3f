import { pageMetadata } from "@/lib/metadata";
import { AccountPage } from "./AccountPage";

export const metadata = pageMetadata("meta.account.title", "meta.account.description", { index: false });

export default function Page() {
  return <AccountPage />;
}
