"use client";

import { AppLink as Link } from "@/components/AppLink";
import { useEffect, useState } from "react";

import { asApiError, type ApiError } from "@/api/errors";
import { useSession } from "@/auth/session";
import { ErrorNotice } from "@/components/ErrorNotice";
import { Loading } from "@/components/Loading";
import { PlanComparison } from "@/components/PlanComparison";
import { RequireAuth } from "@/components/RequireAuth";
import { formatDate, formatMoney } from "@/i18n";
import { t } from "@/i18n/en/account";
import { isPaidPlanKey, loadPlans, openPortal, startCheckout, type PaidPlanKey } from "@/lib/billing";
import { safeNext } from "@/lib/navigation";
import { useLoad } from "@/lib/useLoad";
import { useQuery } from "@/lib/useQuery";

const STATUS_KEYS: Record<string, Parameters<typeof t>[0]> = {
  active: "billing.status.active",
  trialing: "billing.status.trialing",
  past_due: "billing.status.past_due",
  canceled: "billing.status.canceled",
  unpaid: "billing.status.unpaid",
  incomplete: "billing.status.incomplete",
  incomplete_expired: "billing.status.incomplete_expired",
  paused: "billing.status.paused",
};

function planName(plan: string): string {
  if (plan === "pro_monthly") return t("plan.pro_monthly");
  if (plan === "pro_yearly") return t("plan.pro_yearly");
  return t("plan.free");
}

function Billing() {
  const session = useSession();
  const query = useQuery();
  const plans = useLoad(loadPlans, []);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [waiting, setWaiting] = useState(false);
  const checkout = query?.get("checkout");
  const wanted = query?.get("plan");
  const next = safeNext(query?.get("next"), "/assessments/new?instrument=ipip-neo-120");
  const me = session.me;
  const paid = me ? isPaidPlanKey(me.plan) : false;

  // Stripe reports the payment to the API by webhook; it may land a moment after the redirect.
  useEffect(() => {
    if (checkout !== "success" || paid) return;
    let cancelled = false;
    setWaiting(true);
    (async () => {
      for (let attempt = 0; attempt < 10 && !cancelled; attempt++) {
        const profile = await session.reloadMe().catch(() => null);
        if (profile && isPaidPlanKey(profile.plan)) break;
        await new Promise((resolve) => setTimeout(resolve, 1500));
      }
      if (!cancelled) setWaiting(false);
    })();
    return () => {
      cancelled = true;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [checkout]);

  async function upgrade(plan: PaidPlanKey) {
    setBusy(plan);
    setError(null);
    try {
      await startCheckout(plan);
    } catch (caught) {
      setError(asApiError(caught));
      setBusy(null);
    }
  }

  async function manage() {
    setBusy("portal");
    setError(null);
    try {
      await openPortal();
    } catch (caught) {
      setError(asApiError(caught));
      setBusy(null);
    }
  }

  if (!me) return <Loading />;
  const subscription = me.subscription;
  const statusKey = STATUS_KEYS[subscription.status];

  return (
    <>
      <p>
        <Link href="/account">← {t("billing.backToAccount")}</Link>
      </p>
      <div className="page-head">
        <h1>{t("billing.title")}</h1>
        <p>{t("billing.lead")}</p>
      </div>

      <div className="stack">
        {checkout === "success" ? (
          paid ? (
            <div className="notice notice--ok" role="status">
              <p className="notice__title">{t("billing.successTitle")}</p>
              <p>{t("billing.successText")}</p>
              <Link className="button button--small" href={next}>
                {t("billing.successNext")}
              </Link>
            </div>
          ) : waiting ? (
            <div className="notice notice--info" role="status">
              <p>{t("billing.confirming")}</p>
            </div>
          ) : (
            <div className="notice notice--warn" role="status">
              <p>{t("billing.notYet")}</p>
            </div>
          )
        ) : null}
        {checkout === "cancel" || checkout === "cancelled" || checkout === "canceled" ? (
          <div className="notice notice--info" role="status">
            <p className="notice__title">{t("billing.cancelledTitle")}</p>
            <p>{t("billing.cancelledText")}</p>
          </div>
        ) : null}
        {me.payment_past_due ? (
          <div className="notice notice--warn" role="alert">
            <p className="notice__title">{t("billing.pastDueTitle")}</p>
            <p>{me.billing_banner ?? t("billing.pastDueText")}</p>
            {subscription.grace_period_ends_at ? (
              <p>{t("billing.graceUntil", { date: formatDate(subscription.grace_period_ends_at) })}</p>
            ) : null}
          </div>
        ) : null}
        {error ? <ErrorNotice error={error} /> : null}

        <section className="card" aria-labelledby="plan-title">
          <h2 id="plan-title">{t("billing.currentTitle")}</h2>
          <dl className="facts">
            <dt>{t("billing.plan")}</dt>
            <dd>{planName(me.plan)}</dd>
            <dt>{t("billing.status")}</dt>
            <dd>{statusKey ? t(statusKey) : subscription.status}</dd>
            {subscription.current_period_end ? (
              <>
                <dt>{subscription.cancel_at_period_end ? t("billing.endsOn") : t("billing.renewsOn")}</dt>
                <dd>{formatDate(subscription.current_period_end)}</dd>
              </>
            ) : null}
          </dl>
          {subscription.cancel_at_period_end ? <p className="small muted" style={{ marginTop: "1rem" }}>{t("billing.cancelAtEnd")}</p> : null}
          {paid || subscription.plan !== "free" ? (
            <p style={{ marginTop: "1.25rem", marginBottom: 0 }}>
              <button type="button" className="button button--secondary" onClick={manage} disabled={busy !== null}>
                {busy === "portal" ? t("billing.openingPortal") : t("billing.manage")}
              </button>
            </p>
          ) : null}
        </section>

        {!paid ? (
          <section className="card" aria-labelledby="upgrade-title">
            <h2 id="upgrade-title">{t("billing.upgradeTitle")}</h2>
            <p className="muted">{t("billing.upgradeLead")}</p>
            {plans.status === "loading" ? <Loading label={t("pricing.loading")} /> : null}
            {plans.status === "error" ? <ErrorNotice error={plans.error} onRetry={plans.reload} /> : null}
            {plans.status === "ready" ? (
              <>
                <div className="row" style={{ marginBottom: "1.25rem" }}>
                  {plans.data
                    .filter((plan) => isPaidPlanKey(plan.key))
                    .map((plan) => (
                      <button
                        key={plan.key}
                        type="button"
                        className={plan.key === (wanted ?? "pro_yearly") ? "button" : "button button--secondary"}
                        onClick={() => upgrade(plan.key as PaidPlanKey)}
                        disabled={busy !== null}
                      >
                        {busy === plan.key
                          ? t("pricing.openingCheckout")
                          : t("billing.upgradeTo", {
                              plan: plan.name,
                              price: formatMoney(plan.amount_cents, plan.currency),
                              interval: plan.interval === "year" ? t("pricing.perYear") : t("pricing.perMonth"),
                            })}
                      </button>
                    ))}
                </div>
                <PlanComparison plans={plans.data} />
              </>
            ) : null}
          </section>
        ) : null}
      </div>
    </>
  );
}

export function BillingPage() {
  return (
    <RequireAuth>
      <Billing />
    </RequireAuth>
  );
}
