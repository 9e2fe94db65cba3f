import { pageMetadata } from "@/lib/metadata";
import { SignInForm } from "./SignInForm";

export const metadata = pageMetadata("meta.signin.title", "meta.signin.description");

export default function SignInPage() {
  return <SignInForm />;
}
