"""Plans and what each one entitles; docs/ENTITLEMENTS.md is the human-readable matrix.

Everything here is a pure function of its arguments (the caller passes "now").
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass


class Plan(enum.StrEnum):
    FREE = "free"
    PRO_MONTHLY = "pro_monthly"
    PRO_YEARLY = "pro_yearly"


class SubscriptionStatus(enum.StrEnum):
    """Stripe's subscription statuses, in the order a subscription's life passes them (the
    webhook breaks same-second ties by this order: billing/subscription_sync.py)."""

    INCOMPLETE = "incomplete"
    TRIALING = "trialing"
    PAUSED = "paused"
    ACTIVE = "active"
    PAST_DUE = "past_due"
    UNPAID = "unpaid"
    INCOMPLETE_EXPIRED = "incomplete_expired"
    CANCELED = "canceled"


PAID_PLANS: tuple[Plan, ...] = (Plan.PRO_MONTHLY, Plan.PRO_YEARLY)

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
)

PLAN_ENTITLEMENTS: dict[str, tuple[str, ...]] = {
    Plan.FREE: FREE_ENTITLEMENTS,
    Plan.PRO_MONTHLY: PRO_ENTITLEMENTS,
    Plan.PRO_YEARLY: PRO_ENTITLEMENTS,
}


@dataclass(frozen=True, slots=True)
class PlanPrice:
    name: str
    amount_cents: int
    currency: str
    interval: str | None


PLAN_PRICES: dict[str, PlanPrice] = {
    Plan.FREE: PlanPrice("Free", 0, "usd", None),
    Plan.PRO_MONTHLY: PlanPrice("Pro Monthly", 1900, "usd", "month"),
    Plan.PRO_YEARLY: PlanPrice("Pro Yearly", 19000, "usd", "year"),
}

# Stripe statuses under which a paid plan keeps its features (past_due only in grace).
PAID_ACCESS_STATUSES = frozenset(
    {SubscriptionStatus.ACTIVE, SubscriptionStatus.TRIALING, SubscriptionStatus.PAST_DUE}
)
# A subscription in one of these states never becomes active again in Stripe.
TERMINAL_STATUSES = frozenset({SubscriptionStatus.CANCELED, SubscriptionStatus.INCOMPLETE_EXPIRED})


def in_grace_period(
    status: str, grace_period_ends_at: dt.datetime | None, now: dt.datetime | None
) -> bool:
    """past_due keeps paid features only until the grace period stored with it ends."""
    if status != SubscriptionStatus.PAST_DUE or grace_period_ends_at is None or now is None:
        return False
    return now < grace_period_ends_at


def effective_plan(
    plan: str,
    status: str,
    *,
    grace_period_ends_at: dt.datetime | None = None,
    now: dt.datetime | None = None,
) -> Plan:
    """The plan whose features apply now: a lapsed paid plan falls back to Free."""
    if plan not in PLAN_ENTITLEMENTS or plan == Plan.FREE:
        return Plan.FREE
    if status not in PAID_ACCESS_STATUSES:
        return Plan.FREE
    # Without a grace period (or a "now" to compare with) a failed payment buys nothing.
    if status == SubscriptionStatus.PAST_DUE and not in_grace_period(
        status, grace_period_ends_at, now
    ):
        return Plan.FREE
    return Plan(plan)


def entitlements_for(
    plan: str,
    status: str,
    *,
    grace_period_ends_at: dt.datetime | None = None,
    now: dt.datetime | None = None,
) -> list[str]:
    effective = effective_plan(plan, status, grace_period_ends_at=grace_period_ends_at, now=now)
    return list(PLAN_ENTITLEMENTS[effective])


def has_live_paid_subscription(plan: str, status: str) -> bool:
    """A paid subscription Stripe still bills (a second checkout would double-charge)."""
    return plan in PAID_PLANS and status in PAID_ACCESS_STATUSES | {
        SubscriptionStatus.INCOMPLETE,
        SubscriptionStatus.UNPAID,
    }
