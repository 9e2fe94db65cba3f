import { pageMetadata } from "@/lib/metadata";
import { ResetPasswordForm } from "./ResetPasswordForm";

export const metadata = pageMetadata("meta.reset.title", "meta.reset.description", { index: false });

export default function ResetPasswordPage() {
  return <ResetPasswordForm />;
}
