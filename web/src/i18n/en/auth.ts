import { translator } from "../translator";
import { common } from "./common";

/** Sign up, sign in, forgot and reset password. */
export const authMessages = {
  "signup.title": "Create your account",
  "signup.lead": "Free, no card needed. Your account keeps your reports so you can come back to them.",
  "signup.displayNameHint": "Optional. Only you see it.",
  "signup.privacyNote": "We use your e-mail address only to sign you in and to send password reset links.",
  "signup.submit": "Create account",
  "signup.creating": "Creating your account…",
  "signup.haveAccount": "Already have an account?",
  "signin.title": "Sign in",
  "signin.lead": "Welcome back.",
  "signin.submit": "Sign in",
  "signin.working": "Signing in…",
  "signin.forgot": "Forgot your password?",
  "signin.create": "Create an account",
  "forgot.title": "Forgot your password?",
  "forgot.lead": "Enter the address you signed up with. If it has an account, we will send a link to choose a new password.",
  "forgot.submit": "Send the reset link",
  "forgot.sentTitle": "Check your e-mail",
  "forgot.sentHint": "The link works once and expires after a short while. Nothing arrived? Check your spam folder or ask for a new link.",
  "forgot.back": "Back to sign in",
  "reset.title": "Choose a new password",
  "reset.lead": "Choosing a new password signs you out everywhere else.",
  "reset.confirm": "New password, again",
  "reset.mismatch": "The two passwords are not the same.",
  "reset.submit": "Save the new password",
  "reset.done": "Your password has been changed. Sign in with the new one.",
  "reset.noToken": "This page needs the link from the reset e-mail. It may have been copied only in part.",
  "reset.requestNew": "Ask for a new reset link",
} as const satisfies Record<string, string>;

export const t = translator({ ...common, ...authMessages });
