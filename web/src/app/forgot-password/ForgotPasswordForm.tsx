"use client";

import { AppLink as Link } from "@/components/AppLink";
import { useState } from "react";
import type { FormEvent } from "react";

import { api, call } from "@/api/client";
import { asApiError, type ApiError } from "@/api/errors";
import { ErrorNotice } from "@/components/ErrorNotice";
import { Field } from "@/components/Field";
import { t } from "@/i18n/en/auth";

export function ForgotPasswordForm() {
  const [email, setEmail] = useState("");
  const [busy, setBusy] = useState(false);
  const [sent, setSent] = useState<string | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [fieldError, setFieldError] = useState<string | null>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setError(null);
    setFieldError(null);
    if (!email.trim()) {
      setFieldError(t("auth.emailRequired"));
      return;
    }
    setBusy(true);
    try {
      const answer = await call(() => api.POST("/v1/auth/password/forgot", { body: { email: email.trim() } }));
      setSent(answer.message);
    } catch (caught) {
      const apiError = asApiError(caught);
      setFieldError(apiError.fields.email ?? null);
      if (!apiError.fields.email) setError(apiError);
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="narrow">
      <div className="page-head">
        <h1>{t("forgot.title")}</h1>
        <p>{t("forgot.lead")}</p>
      </div>
      {sent ? (
        <div className="card stack">
          <div className="notice notice--ok" role="status">
            <p className="notice__title">{t("forgot.sentTitle")}</p>
            <p>{sent}</p>
          </div>
          <p className="muted">{t("forgot.sentHint")}</p>
          <Link href="/signin">{t("forgot.back")}</Link>
        </div>
      ) : (
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
            error={fieldError}
          />
          <button type="submit" className="button button--block" disabled={busy}>
            {busy ? t("common.working") : t("forgot.submit")}
          </button>
          <p className="small" style={{ margin: 0, textAlign: "center" }}>
            <Link href="/signin">{t("forgot.back")}</Link>
          </p>
        </form>
      )}
    </div>
  );
}
