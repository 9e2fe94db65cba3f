"use client";

import { AppLink as Link } from "@/components/AppLink";
import { useRouter } from "next/navigation";
import { useState } from "react";
import type { FormEvent } from "react";

import { asApiError, type ApiError } from "@/api/errors";
import { useSession } from "@/auth/session";
import { ErrorNotice } from "@/components/ErrorNotice";
import { Field } from "@/components/Field";
import { t } from "@/i18n/en/auth";
import { safeNext } from "@/lib/navigation";
import { useQuery } from "@/lib/useQuery";

export function SignInForm() {
  const session = useSession();
  const router = useRouter();
  const query = useQuery();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});

  const next = safeNext(query?.get("next"), "/reports");
  const reset = query?.get("reset") === "1";

  async function submit(event: FormEvent) {
    event.preventDefault();
    setError(null);
    const local: Record<string, string> = {};
    if (!email.trim()) local.email = t("auth.emailRequired");
    if (!password) local.password = t("auth.passwordRequired");
    setFieldErrors(local);
    if (Object.keys(local).length) return;
    setBusy(true);
    try {
      await session.signIn(email.trim(), password);
      // A dynamic route (one exported page for every id) needs a full load to show its id.
      if (/^\/(reports|assessments|shared)\/[^/]+/.test(next) && next !== "/assessments/new") window.location.assign(next);
      else router.push(next);
    } catch (caught) {
      const apiError = asApiError(caught);
      setFieldErrors(apiError.fields);
      setError(apiError);
      setBusy(false);
    }
  }

  return (
    <div className="narrow">
      <div className="page-head">
        <h1>{t("signin.title")}</h1>
        <p>{t("signin.lead")}</p>
      </div>
      <form className="card form" onSubmit={submit} noValidate>
        {reset ? (
          <div className="notice notice--ok" role="status">
            <p>{t("reset.done")}</p>
          </div>
        ) : null}
        {error ? <ErrorNotice error={error} /> : null}
        <Field
          label={t("auth.email")}
          type="email"
          name="email"
          autoComplete="email"
          required
          value={email}
          onChange={(event) => setEmail(event.target.value)}
          error={fieldErrors.email}
        />
        <Field
          label={t("auth.password")}
          type="password"
          name="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(event) => setPassword(event.target.value)}
          error={fieldErrors.password}
        />
        <button type="submit" className="button button--block" disabled={busy}>
          {busy ? t("signin.working") : t("signin.submit")}
        </button>
        <div className="row row--between small">
          <Link href="/forgot-password">{t("signin.forgot")}</Link>
          <Link href={`/signup${query?.get("next") ? `?next=${encodeURIComponent(next)}` : ""}`}>{t("signin.create")}</Link>
        </div>
      </form>
    </div>
  );
}
