"""The one place that decides whether a user's plan includes a feature."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from insight_atlas.billing.models import Subscription
from insight_atlas.billing.plans import (
    PLAN_ENTITLEMENTS,
    Plan,
    SubscriptionStatus,
    effective_plan,
    entitlements_for,
)
from insight_atlas.db import utcnow
from insight_atlas.errors import AppError


class UpgradeRequired(AppError):
    code = "upgrade_required"
    status_code = 402


@dataclass(frozen=True, slots=True)
class Access:
    """What a subscription row grants at one instant, and what the UI should warn about."""

    plan: str
    entitlements: list[str]
    payment_past_due: bool
    grace_period_ends_at: dt.datetime | None


def access_for(subscription: Subscription, now: dt.datetime) -> Access:
    grace = subscription.grace_period_ends_at
    plan = effective_plan(
        subscription.plan, subscription.status, grace_period_ends_at=grace, now=now
    )
    return Access(
        plan=plan,
        entitlements=entitlements_for(
            subscription.plan, subscription.status, grace_period_ends_at=grace, now=now
        ),
        payment_past_due=subscription.status == SubscriptionStatus.PAST_DUE,
        grace_period_ends_at=grace if subscription.status == SubscriptionStatus.PAST_DUE else None,
    )


def plan_needed_for(entitlement: str) -> str:
    """The cheapest plan that includes the entitlement."""
    for plan, entitlements in PLAN_ENTITLEMENTS.items():
        if entitlement in entitlements:
            return plan
    return Plan.PRO_MONTHLY


def ensure_entitled(subscription: Subscription, entitlement: str) -> None:
    """Nothing if the subscription's plan includes the entitlement; 402 otherwise."""
    if entitlement in access_for(subscription, utcnow()).entitlements:
        return
    plan = plan_needed_for(entitlement)
    raise UpgradeRequired(
        f"This needs the {plan.replace('_', ' ').title()} plan or higher.",
        details={"plan_needed": plan, "entitlement": entitlement},
    )


def billing_banner(access: Access) -> str | None:
    """The warning shown in the app while a failed payment is being retried."""
    if not access.payment_past_due:
        return None
    if access.grace_period_ends_at is not None and access.plan != Plan.FREE:
        until = access.grace_period_ends_at.strftime("%Y-%m-%d %H:%M UTC")
        return f"Your last payment failed. Update your card before {until} to keep Pro."
    return "Your last payment failed and Pro features are paused. Update your card to resume."
