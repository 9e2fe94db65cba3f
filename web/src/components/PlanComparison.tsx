import { t } from "@/i18n/en/pricing";
import { FEATURE_ORDER, type Plan } from "@/lib/billing";
import { TableWrap } from "./TableWrap";

const FEATURE_KEYS: Record<string, Parameters<typeof t>[0]> = {
  "instrument:mini-ipip": "feature.instrument:mini-ipip",
  "instrument:ipip-50": "feature.instrument:ipip-50",
  "instrument:work-style": "feature.instrument:work-style",
  "reports:history": "feature.reports:history",
  "privacy:export": "feature.privacy:export",
  "privacy:delete": "feature.privacy:delete",
  "instrument:ipip-neo-120": "feature.instrument:ipip-neo-120",
  "reports:compare": "feature.reports:compare",
  "reports:share": "feature.reports:share",
};

export function featureName(entitlement: string): string {
  const key = FEATURE_KEYS[entitlement];
  return key ? t(key) : entitlement;
}

export function FeatureName({ entitlement }: { entitlement: string }) {
  return <>{featureName(entitlement)}</>;
}

/** What each plan includes, as a table (yes / no in words, not only marks). */
export function PlanComparison({ plans }: { plans: Plan[] }) {
  const all = Array.from(new Set(plans.flatMap((plan) => plan.entitlements))).sort((a, b) => {
    const ia = FEATURE_ORDER.indexOf(a);
    const ib = FEATURE_ORDER.indexOf(b);
    return (ia === -1 ? 99 : ia) - (ib === -1 ? 99 : ib);
  });
  return (
    <TableWrap label={t("pricing.matrix.caption")}>
      <table>
        <caption className="visually-hidden">{t("pricing.matrix.caption")}</caption>
        <thead>
          <tr>
            <th scope="col">{t("pricing.matrix.feature")}</th>
            {plans.map((plan) => (
              <th scope="col" key={plan.key}>
                {plan.name}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {all.map((entitlement) => (
            <tr key={entitlement}>
              <th scope="row" style={{ fontWeight: 500 }}>
                {featureName(entitlement)}
              </th>
              {plans.map((plan) => (
                <td key={plan.key}>
                  {plan.entitlements.includes(entitlement) ? (
                    <span className="verdict verdict--ok">
                      <span aria-hidden="true">✓ </span>
                      {t("common.included")}
                    </span>
                  ) : (
                    <span className="muted">
                      <span aria-hidden="true">— </span>
                      {t("common.notIncluded")}
                    </span>
                  )}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </TableWrap>
  );
}
