"use client";

import { useState } from "react";
import type { FormEvent } from "react";

import { api, call } from "@/api/client";
import { asApiError, type ApiError } from "@/api/errors";
import { ConfirmDialog } from "@/components/ConfirmDialog";
import { ErrorNotice } from "@/components/ErrorNotice";
import { Field } from "@/components/Field";
import { t } from "@/i18n/en/account";
import { hardNavigate } from "@/lib/navigation";

export function DeleteAccount() {
  const [password, setPassword] = useState("");
  const [fieldError, setFieldError] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);

  function ask(event: FormEvent) {
    event.preventDefault();
    setError(null);
    if (!password) {
      setFieldError(t("auth.passwordRequired"));
      return;
    }
    setFieldError(null);
    setConfirming(true);
  }

  async function remove() {
    setBusy(true);
    setError(null);
    try {
      await call(() => api.DELETE("/v1/me", { body: { password } }));
      // The page unloads, and the in-memory session with it.
      hardNavigate("/?goodbye=1", true);
    } catch (caught) {
      const apiError = asApiError(caught);
      setConfirming(false);
      if (apiError.code === "invalid_current_password") setFieldError(apiError.message);
      else setError(apiError);
      setBusy(false);
    }
  }

  return (
    <section className="section" aria-labelledby="delete-title">
      <div className="card" style={{ borderColor: "var(--danger)" }}>
        <h2 id="delete-title">{t("delete.title")}</h2>
        <p className="reading">{t("delete.text")}</p>
        <form className="form" onSubmit={ask} noValidate style={{ maxWidth: "26rem" }}>
          {error ? <ErrorNotice error={error} /> : null}
          <Field
            label={t("delete.passwordLabel")}
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={(event) => setPassword(event.target.value)}
            error={fieldError}
          />
          <div>
            <button type="submit" className="button button--danger">
              {t("delete.button")}
            </button>
          </div>
        </form>
      </div>
      <ConfirmDialog
        open={confirming}
        title={t("delete.confirmTitle")}
        confirmLabel={t("delete.confirm")}
        danger
        busy={busy}
        onConfirm={remove}
        onCancel={() => setConfirming(false)}
      >
        <p>{t("delete.confirmText")}</p>
      </ConfirmDialog>
    </section>
  );
}
