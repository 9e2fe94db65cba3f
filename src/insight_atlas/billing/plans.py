"""Plans and what each one entitles; docs/ENTITLEMENTS.md is the human-readable matrix."""

from __future__ import annotations

FREE = "free"
PRO_MONTHLY = "pro_monthly"
PRO_YEARLY = "pro_yearly"

FREE_ENTITLEMENTS: tuple[str, ...] = (
    "instrument:mini-ipip",
    "instrument:work-style",
    "reports:history",
    "privacy:export",
    "privacy:delete",
)
PRO_ENTITLEMENTS: tuple[str, ...] = (
    *FREE_ENTITLEMENTS,
    "instrument:ipip-neo-120",
    "reports:compare",
    "reports:share",
    "reports:print",
)

PLAN_ENTITLEMENTS: dict[str, tuple[str, ...]] = {
    FREE: FREE_ENTITLEMENTS,
    PRO_MONTHLY: PRO_ENTITLEMENTS,
    PRO_YEARLY: PRO_ENTITLEMENTS,
}

# Stripe statuses under which a paid plan keeps its features.
PAID_ACCESS_STATUSES = frozenset({"active", "trialing", "past_due"})


def effective_plan(plan: str, status: str) -> str:
    """The plan whose features apply now: a lapsed paid plan falls back to Free."""
    if plan != FREE and status not in PAID_ACCESS_STATUSES:
        return FREE
    return plan if plan in PLAN_ENTITLEMENTS else FREE


def entitlements_for(plan: str, status: str) -> list[str]:
    return list(PLAN_ENTITLEMENTS[effective_plan(plan, status)])
