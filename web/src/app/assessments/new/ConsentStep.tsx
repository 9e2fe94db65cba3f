"use client";

import { AppLink as Link } from "@/components/AppLink";
import { useId, useState } from "react";
import type { FormEvent, RefObject } from "react";

import { api, call } from "@/api/client";
import { asApiError, type ApiError } from "@/api/errors";
import { useSession } from "@/auth/session";
import { ErrorNotice } from "@/components/ErrorNotice";
import { Loading } from "@/components/Loading";
import { t } from "@/i18n/en/start";
import type { Consent, InstrumentSummary } from "@/lib/assessments";
import { assessmentHref, hardNavigate } from "@/lib/navigation";
import type { Load } from "@/lib/useLoad";

interface Props {
  instrument: InstrumentSummary;
  workStyle: InstrumentSummary | null;
  consent: Load<Consent> & { reload: () => Promise<void> };
  headingRef: RefObject<HTMLHeadingElement | null>;
  onBack: () => void;
}

type Sex = "" | "female" | "male";

export function ConsentStep({ instrument, workStyle, consent, headingRef, onBack }: Props) {
  const session = useSession();
  const id = useId();
  const [agreed, setAgreed] = useState(false);
  const [withWorkStyle, setWithWorkStyle] = useState(false);
  const [sex, setSex] = useState<Sex>("");
  const [age, setAge] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [agreeError, setAgreeError] = useState<string | null>(null);
  const [ageError, setAgeError] = useState<string | null>(null);

  const totalItems = instrument.item_count + (withWorkStyle && workStyle ? workStyle.item_count : 0);
  const minutes = instrument.estimated_minutes + (withWorkStyle && workStyle ? workStyle.estimated_minutes : 0);
  const next = `/assessments/new?instrument=${instrument.key}`;

  async function start(event: FormEvent) {
    event.preventDefault();
    if (consent.status !== "ready") return;
    setError(null);
    setAgreeError(null);
    setAgeError(null);
    const ageNumber = age.trim() ? Number(age) : null;
    let invalid = false;
    if (ageNumber !== null && (!Number.isInteger(ageNumber) || ageNumber < 10 || ageNumber > 120)) {
      setAgeError(t("consent.ageInvalid"));
      invalid = true;
    }
    if (!agreed) {
      setAgreeError(t("consent.mustAgree"));
      invalid = true;
    }
    if (invalid) return;
    setBusy(true);
    try {
      const assessment = await call(() =>
        api.POST("/v1/assessments", {
          body: {
            instrument: instrument.key,
            consent_version: consent.data.version,
            include_work_style: withWorkStyle,
            sex: sex || null,
            age: ageNumber,
          },
        }),
      );
      hardNavigate(assessmentHref(assessment.id));
    } catch (caught) {
      const apiError = asApiError(caught);
      if (apiError.fields.age) setAgeError(apiError.fields.age);
      setError(apiError);
      if (apiError.code === "consent_required") void consent.reload();
      setBusy(false);
    }
  }

  return (
    <div className="reading centered">
      <p>
        <button type="button" className="linklike" onClick={onBack}>
          ← {t("consent.back")}
        </button>
      </p>
      <div className="page-head">
        <p className="eyebrow">{instrument.title}</p>
        <h1 ref={headingRef} tabIndex={-1}>
          {t("consent.title")}
        </h1>
        <p>{t("consent.lead", { items: totalItems, minutes })}</p>
      </div>

      {consent.status === "loading" ? <Loading label={t("consent.loading")} /> : null}
      {consent.status === "error" ? <ErrorNotice error={consent.error} onRetry={consent.reload} /> : null}

      {consent.status === "ready" ? (
        <form className="form" onSubmit={start} noValidate>
          <section className="card stack" aria-labelledby={`${id}-consent`}>
            <h2 id={`${id}-consent`} style={{ fontSize: "1.2rem" }}>
              {t("consent.textTitle")}{" "}
              <span className="muted small" style={{ fontWeight: 400 }}>
                {t("consent.version", { version: consent.data.version })}
              </span>
            </h2>
            <div className="consent-text" tabIndex={0} role="region" aria-label={t("consent.textTitle")}>
              {consent.data.text}
            </div>
          </section>

          {workStyle ? (
            <section className="card" aria-labelledby={`${id}-ws`}>
              <h2 id={`${id}-ws`} style={{ fontSize: "1.2rem" }}>
                {t("consent.optionalTitle")}
              </h2>
              <label className="checkbox">
                <input type="checkbox" checked={withWorkStyle} onChange={(event) => setWithWorkStyle(event.target.checked)} />
                <span>
                  {t("consent.workStyle", { items: workStyle.item_count, minutes: workStyle.estimated_minutes })}
                  <br />
                  <span className="small muted">{t("consent.workStyleHint")}</span>
                </span>
              </label>
            </section>
          ) : null}

          <section className="card stack" aria-labelledby={`${id}-norms`}>
            <h2 id={`${id}-norms`} style={{ fontSize: "1.2rem" }}>
              {t("consent.normsTitle")}
            </h2>
            <p className="muted" style={{ margin: 0 }}>
              {t("consent.normsExplain")}
            </p>
            <fieldset className="field">
              <legend className="label">{t("consent.sex")}</legend>
              <div className="row">
                {(
                  [
                    ["", t("consent.sexUnsaid")],
                    ["female", t("consent.sexFemale")],
                    ["male", t("consent.sexMale")],
                  ] as [Sex, string][]
                ).map(([value, label]) => (
                  <label key={value || "none"} className="checkbox" style={{ alignItems: "center" }}>
                    <input type="radio" name="sex" value={value} checked={sex === value} onChange={() => setSex(value)} />
                    <span>{label}</span>
                  </label>
                ))}
              </div>
            </fieldset>
            <div className="field" style={{ maxWidth: "12rem" }}>
              <label htmlFor={`${id}-age`}>{t("consent.age")}</label>
              <input
                id={`${id}-age`}
                type="number"
                inputMode="numeric"
                min={10}
                max={120}
                value={age}
                onChange={(event) => setAge(event.target.value)}
                aria-invalid={ageError ? true : undefined}
                aria-describedby={ageError ? `${id}-age-error` : undefined}
              />
              {ageError ? (
                <p className="error" id={`${id}-age-error`}>
                  {ageError}
                </p>
              ) : null}
            </div>
          </section>

          <div className="card stack">
            <label className="checkbox">
              <input
                type="checkbox"
                checked={agreed}
                onChange={(event) => setAgreed(event.target.checked)}
                aria-invalid={agreeError ? true : undefined}
                aria-describedby={agreeError ? `${id}-agree-error` : undefined}
              />
              <span>
                <strong>{t("consent.agree", { version: consent.data.version })}</strong>
              </span>
            </label>
            {agreeError ? (
              <p className="form-error-text" id={`${id}-agree-error`}>
                {agreeError}
              </p>
            ) : null}
            {error ? (
              <>
                <ErrorNotice error={error} />
                {error.code === "upgrade_required" ? (
                  <p>
                    <Link href="/account/billing">{t("start.upgrade")}</Link>
                  </p>
                ) : null}
              </>
            ) : null}
            {session.status === "signed_in" ? (
              <div className="row">
                <button type="submit" className="button" disabled={busy}>
                  {busy ? t("consent.starting") : t("consent.start")}
                </button>
                <span className="small muted">{t("consent.saveNote")}</span>
              </div>
            ) : session.status === "signed_out" ? (
              <div className="notice notice--info">
                <p className="notice__title">{t("consent.accountNeeded")}</p>
                <p>{t("consent.accountWhy")}</p>
                <div className="row">
                  <Link className="button" href={`/signup?next=${encodeURIComponent(next)}`}>
                    {t("consent.createAccount")}
                  </Link>
                  <Link href={`/signin?next=${encodeURIComponent(next)}`}>{t("nav.signIn")}</Link>
                </div>
              </div>
            ) : (
              <Loading />
            )}
          </div>
        </form>
      ) : null}
    </div>
  );
}
