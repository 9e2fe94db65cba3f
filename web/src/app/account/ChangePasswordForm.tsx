"use client";

import { useState } from "react";
import type { FormEvent } from "react";

import { api, call } from "@/api/client";
import { asApiError, type ApiError } from "@/api/errors";
import { useSession } from "@/auth/session";
import { ErrorNotice } from "@/components/ErrorNotice";
import { Field } from "@/components/Field";
import { t } from "@/i18n/en/account";

export function ChangePasswordForm() {
  const session = useSession();
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [fields, setFields] = useState<Record<string, string>>({});

  async function submit(event: FormEvent) {
    event.preventDefault();
    setDone(false);
    setError(null);
    const local: Record<string, string> = {};
    if (!current) local.current_password = t("auth.passwordRequired");
    if (next.length < 10) local.new_password = t("auth.passwordTooShort");
    setFields(local);
    if (Object.keys(local).length) return;
    setBusy(true);
    try {
      const tokens = await call(() =>
        api.POST("/v1/auth/password/change", {
          body: { current_password: current, new_password: next, cookie: true },
        }),
      );
      session.adoptTokens(tokens);
      setCurrent("");
      setNext("");
      setDone(true);
    } catch (caught) {
      const apiError = asApiError(caught);
      const problems = apiError.fields;
      if (apiError.code === "invalid_current_password") problems.current_password = apiError.message;
      if (apiError.code === "weak_password") problems.new_password = apiError.message;
      setFields(problems);
      if (!Object.keys(problems).length) setError(apiError);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="card" aria-labelledby="password-title">
      <h2 id="password-title">{t("account.passwordTitle")}</h2>
      <form className="form" onSubmit={submit} noValidate>
        {done ? (
          <div className="notice notice--ok" role="status">
            <p>{t("account.passwordChanged")}</p>
          </div>
        ) : null}
        {error ? <ErrorNotice error={error} /> : null}
        <Field
          label={t("account.currentPassword")}
          type="password"
          autoComplete="current-password"
          value={current}
          onChange={(event) => setCurrent(event.target.value)}
          error={fields.current_password}
        />
        <Field
          label={t("reset.newPassword")}
          hint={t("auth.passwordHint")}
          type="password"
          autoComplete="new-password"
          value={next}
          onChange={(event) => setNext(event.target.value)}
          error={fields.new_password}
        />
        <div>
          <button type="submit" className="button" disabled={busy}>
            {busy ? t("common.working") : t("account.changePassword")}
          </button>
        </div>
      </form>
    </section>
  );
}
