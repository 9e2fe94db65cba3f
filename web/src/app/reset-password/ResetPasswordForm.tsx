"use client";

import { AppLink as Link } from "@/components/AppLink";
import { useEffect, useState } from "react";
import type { FormEvent } from "react";

import { api, call } from "@/api/client";
import { asApiError, type ApiError } from "@/api/errors";
import { ErrorNotice } from "@/components/ErrorNotice";
import { Field } from "@/components/Field";
import { Loading } from "@/components/Loading";
import { t } from "@/i18n/en/auth";

export function ResetPasswordForm() {
  const [token, setToken] = useState<string | null | undefined>(undefined);
  const [password, setPassword] = useState("");
  const [confirm, setConfirm] = useState("");
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});

  useEffect(() => {
    const value = new URLSearchParams(window.location.search).get("token");
    setToken(value);
    // The token has been read: keep it out of the address bar, history and screenshots.
    if (value) window.history.replaceState(null, "", "/reset-password");
  }, []);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!token) return;
    setError(null);
    const local: Record<string, string> = {};
    if (password.length < 10) local.new_password = t("auth.passwordTooShort");
    else if (password !== confirm) local.confirm = t("reset.mismatch");
    setFieldErrors(local);
    if (Object.keys(local).length) return;
    setBusy(true);
    try {
      await call(() => api.POST("/v1/auth/password/reset", { body: { token, new_password: password } }));
      setDone(true);
    } catch (caught) {
      const apiError = asApiError(caught);
      const fields = apiError.fields;
      if (apiError.code === "weak_password") fields.new_password = apiError.message;
      setFieldErrors(fields);
      if (!Object.keys(fields).length) setError(apiError);
    } finally {
      setBusy(false);
    }
  }

  if (token === undefined) return <Loading />;

  return (
    <div className="narrow">
      <div className="page-head">
        <h1>{t("reset.title")}</h1>
        <p>{t("reset.lead")}</p>
      </div>
      {done ? (
        <div className="card stack">
          <div className="notice notice--ok" role="status">
            <p>{t("reset.done")}</p>
          </div>
          <Link className="button" href="/signin">
            {t("nav.signIn")}
          </Link>
        </div>
      ) : !token ? (
        <div className="card stack">
          <div className="notice notice--error" role="alert">
            <p>{t("reset.noToken")}</p>
          </div>
          <Link href="/forgot-password">{t("reset.requestNew")}</Link>
        </div>
      ) : (
        <form className="card form" onSubmit={submit} noValidate>
          {error ? (
            <>
              <ErrorNotice error={error} />
              {error.code === "invalid_reset_token" ? (
                <p style={{ margin: 0 }}>
                  <Link href="/forgot-password">{t("reset.requestNew")}</Link>
                </p>
              ) : null}
            </>
          ) : null}
          <Field
            label={t("reset.newPassword")}
            hint={t("auth.passwordHint")}
            type="password"
            name="new_password"
            autoComplete="new-password"
            required
            value={password}
            onChange={(event) => setPassword(event.target.value)}
            error={fieldErrors.new_password}
          />
          <Field
            label={t("reset.confirm")}
            type="password"
            name="confirm"
            autoComplete="new-password"
            required
            value={confirm}
            onChange={(event) => setConfirm(event.target.value)}
            error={fieldErrors.confirm}
          />
          <button type="submit" className="button button--block" disabled={busy}>
            {busy ? t("common.working") : t("reset.submit")}
          </button>
        </form>
      )}
    </div>
  );
}
