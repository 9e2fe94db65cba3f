"use client";

import { AppLink as Link } from "@/components/AppLink";
import { useState } from "react";

import { asApiError, type ApiError } from "@/api/errors";
import { useSession } from "@/auth/session";
import { ErrorNotice } from "@/components/ErrorNotice";
import { Loading } from "@/components/Loading";
import { FeatureName, PlanComparison } from "@/components/PlanComparison";
import { formatMoney } from "@/i18n";
import { t } from "@/i18n/en/pricing";
import { FEATURE_ORDER, isPaidPlanKey, loadPlans, startCheckout, type Plan } from "@/lib/billing";
import { useLoad } from "@/lib/useLoad";

function priceSuffix(plan: Plan): string {
  if (plan.interval === "month") return t("pricing.perMonth");
  if (plan.interval === "year") return t("pricing.perYear");
  return t("pricing.forever");
}

export function PricingView() {
  const plans = useLoad(loadPlans, []);
  const session = useSession();
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<ApiError | null>(null);

  async function choose(plan: Plan) {
    if (!isPaidPlanKey(plan.key)) return;
    if (session.status !== "signed_in") {
      window.location.assign(`/signup?next=${encodeURIComponent(`/account/billing?plan=${plan.key}`)}`);
      return;
    }
    setBusy(plan.key);
    setError(null);
    try {
      await startCheckout(plan.key);
    } catch (caught) {
      setError(asApiError(caught));
      setBusy(null);
    }
  }

  const free = plans.data?.find((plan) => plan.key === "free");
  const monthly = plans.data?.find((plan) => plan.key === "pro_monthly");
  const yearlySaving =
    monthly && plans.data?.find((plan) => plan.key === "pro_yearly")
      ? monthly.amount_cents * 12 - (plans.data.find((plan) => plan.key === "pro_yearly")?.amount_cents ?? 0)
      : 0;
  const currentPlan = session.me?.plan;

  return (
    <>
      <div className="page-head">
        <p className="eyebrow">{t("nav.pricing")}</p>
        <h1>{t("pricing.title")}</h1>
        <p>{t("pricing.lead")}</p>
      </div>

      {plans.status === "loading" ? <Loading label={t("pricing.loading")} /> : null}
      {plans.status === "error" ? <ErrorNotice error={plans.error} onRetry={plans.reload} /> : null}
      {error ? <ErrorNotice error={error} /> : null}

      {plans.status === "ready" ? (
        <>
          <div className="plans">
            {plans.data.map((plan) => {
              const paid = isPaidPlanKey(plan.key);
              const extra = paid && free ? plan.entitlements.filter((e) => !free.entitlements.includes(e)) : plan.entitlements;
              const features = [...extra].sort((a, b) => FEATURE_ORDER.indexOf(a) - FEATURE_ORDER.indexOf(b));
              const isCurrent = currentPlan === plan.key;
              return (
                <section
                  key={plan.key}
                  className={`card plan${plan.key === "pro_yearly" ? " plan--featured" : ""}`}
                  aria-labelledby={`plan-${plan.key}`}
                >
                  <div className="row row--between">
                    <h2 id={`plan-${plan.key}`} style={{ margin: 0 }}>
                      {plan.name}
                    </h2>
                    {plan.key === "pro_yearly" && yearlySaving > 0 ? (
                      <span className="badge badge--pro">
                        {t("pricing.save", { amount: formatMoney(yearlySaving, plan.currency) })}
                      </span>
                    ) : null}
                    {isCurrent ? <span className="badge badge--free">{t("pricing.current")}</span> : null}
                  </div>
                  <p className="plan__price">
                    {formatMoney(plan.amount_cents, plan.currency)} <span>{priceSuffix(plan)}</span>
                  </p>
                  <p className="muted" style={{ margin: 0 }}>
                    {t(paid ? "pricing.proBlurb" : "pricing.freeBlurb")}
                  </p>
                  {paid ? <p style={{ margin: 0, fontWeight: 600 }}>{t("pricing.everythingFree")}</p> : null}
                  <ul className="checklist">
                    {features.map((entitlement) => (
                      <li key={entitlement}>
                        <FeatureName entitlement={entitlement} />
                      </li>
                    ))}
                  </ul>
                  {paid ? (
                    <button
                      type="button"
                      className={plan.key === "pro_yearly" ? "button button--block" : "button button--secondary button--block"}
                      onClick={() => choose(plan)}
                      disabled={busy !== null || isCurrent}
                      aria-describedby="pricing-cancel-note"
                    >
                      {busy === plan.key ? t("pricing.openingCheckout") : t("pricing.choose", { plan: plan.name })}
                    </button>
                  ) : (
                    <Link className="button button--secondary button--block" href="/assessments/new">
                      {t("pricing.startFree")}
                    </Link>
                  )}
                </section>
              );
            })}
          </div>
          <p className="small muted" id="pricing-cancel-note" style={{ marginTop: "1rem" }}>
            {t("pricing.cancelNote")}
          </p>

          <section className="section" aria-labelledby="compare-title">
            <h2 id="compare-title">{t("pricing.matrix.title")}</h2>
            <p className="muted reading">{t("pricing.matrix.lead")}</p>
            <PlanComparison plans={plans.data} />
          </section>
        </>
      ) : null}

      <section className="section reading" aria-labelledby="faq-title">
        <h2 id="faq-title">{t("pricing.faq.title")}</h2>
        <h3>{t("pricing.faq.1.q")}</h3>
        <p>{t("pricing.faq.1.a")}</p>
        <h3>{t("pricing.faq.2.q")}</h3>
        <p>{t("pricing.faq.2.a")}</p>
        <h3>{t("pricing.faq.3.q")}</h3>
        <p>{t("pricing.faq.3.a")}</p>
      </section>
    </>
  );
}
