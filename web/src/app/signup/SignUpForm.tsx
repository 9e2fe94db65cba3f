"use client";

import { AppLink as Link } from "@/components/AppLink";
import { useState } from "react";
import type { FormEvent } from "react";

import { api, call } from "@/api/client";
import { asApiError, type ApiError } from "@/api/errors";
import { useSession } from "@/auth/session";
import { ErrorNotice } from "@/components/ErrorNotice";
import { Field } from "@/components/Field";
import { t } from "@/i18n/en/auth";
import { safeNext } from "@/lib/navigation";
import { useQuery } from "@/lib/useQuery";
import { useRouter } from "next/navigation";

export function SignUpForm() {
  const session = useSession();
  const router = useRouter();
  const query = useQuery();
  const [email, setEmail] = useState("");
  const [displayName, setDisplayName] = useState("");
  const [password, setPassword] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});

  const next = safeNext(query?.get("next"), "/assessments/new");

  async function submit(event: FormEvent) {
    event.preventDefault();
    setError(null);
    setFieldErrors({});
    const local: Record<string, string> = {};
    if (!email.trim()) local.email = t("auth.emailRequired");
    if (password.length < 10) local.password = t("auth.passwordTooShort");
    if (Object.keys(local).length) {
      setFieldErrors(local);
      return;
    }
    setBusy(true);
    try {
      await call(() =>
        api.POST("/v1/auth/register", {
          body: { email: email.trim(), password, display_name: displayName.trim() || null },
        }),
      );
      await session.signIn(email.trim(), password);
      router.push(next);
    } catch (caught) {
      const apiError = asApiError(caught);
      const fields = apiError.fields;
      if (apiError.code === "email_taken") fields.email = apiError.message;
      if (apiError.code === "weak_password") fields.password = apiError.message;
      setFieldErrors(fields);
      if (!Object.keys(fields).length) setError(apiError);
      setBusy(false);
    }
  }

  return (
    <div className="narrow">
      <div className="page-head">
        <h1>{t("signup.title")}</h1>
        <p>{t("signup.lead")}</p>
      </div>
      <form className="card form" onSubmit={submit} noValidate>
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
          label={t("signup.displayName")}
          hint={t("signup.displayNameHint")}
          type="text"
          name="display_name"
          autoComplete="nickname"
          maxLength={100}
          value={displayName}
          onChange={(event) => setDisplayName(event.target.value)}
          error={fieldErrors.display_name}
        />
        <Field
          label={t("auth.password")}
          hint={t("auth.passwordHint")}
          type="password"
          name="password"
          autoComplete="new-password"
          required
          value={password}
          onChange={(event) => setPassword(event.target.value)}
          error={fieldErrors.password}
        />
        <p className="small muted" style={{ margin: 0 }}>
          {t("signup.privacyNote")}
        </p>
        <button type="submit" className="button button--block" disabled={busy}>
          {busy ? t("signup.creating") : t("signup.submit")}
        </button>
        <p className="small" style={{ margin: 0, textAlign: "center" }}>
          {t("signup.haveAccount")}{" "}
          <Link href={`/signin${query?.get("next") ? `?next=${encodeURIComponent(next)}` : ""}`}>{t("nav.signIn")}</Link>
        </p>
      </form>
    </div>
  );
}
