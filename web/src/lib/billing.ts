import { api, call, type Schemas } from "@/api/client";
import { hardNavigate } from "./navigation";

export type Plan = Schemas["PlanRead"];
export type PaidPlanKey = Schemas["CheckoutRequest"]["plan"];

export async function loadPlans(): Promise<Plan[]> {
  return call(() => api.GET("/v1/billing/plans"));
}

/** Opens the checkout page (Stripe's, or the local sandbox) in this tab, as Stripe expects. */
export async function startCheckout(plan: PaidPlanKey): Promise<void> {
  const { url } = await call(() => api.POST("/v1/billing/checkout", { body: { plan } }));
  hardNavigate(url);
}

export async function openPortal(): Promise<void> {
  const { url } = await call(() => api.POST("/v1/billing/portal"));
  hardNavigate(url);
}

export function isPaidPlanKey(key: string): key is PaidPlanKey {
  return key === "pro_monthly" || key === "pro_yearly";
}

/** Entitlements shown to people, in this order; others are listed after them. */
export const FEATURE_ORDER = [
  "instrument:mini-ipip",
  "instrument:ipip-50",
  "instrument:work-style",
  "reports:history",
  "privacy:export",
  "privacy:delete",
  "instrument:ipip-neo-120",
  "reports:compare",
  "reports:share",
];
