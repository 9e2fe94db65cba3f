import { pageMetadata } from "@/lib/metadata";
import { SignUpForm } from "./SignUpForm";

export const metadata = pageMetadata("meta.signup.title", "meta.signup.description");

export default function SignUpPage() {
  return <SignUpForm />;
}
