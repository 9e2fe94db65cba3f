import { pageMetadata } from "@/lib/metadata";
import { ForgotPasswordForm } from "./ForgotPasswordForm";

export const metadata = pageMetadata("meta.forgot.title", "meta.forgot.description");

export default function ForgotPasswordPage() {
  return <ForgotPasswordForm />;
}
