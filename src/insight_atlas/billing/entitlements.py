"""The one place that decides whether a user's plan includes a feature."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from insight_atlas.accounts.dependencies import CurrentPrincipal, Principal
from insight_atlas.billing.plans import PLAN_ENTITLEMENTS, PRO_MONTHLY, entitlements_for
from insight_atlas.errors import AppError


class UpgradeRequired(AppError):
    code = "upgrade_required"
    status_code = 402


def plan_needed_for(entitlement: str) -> str:
    """The cheapest plan that includes the entitlement."""
    for plan, entitlements in PLAN_ENTITLEMENTS.items():
        if entitlement in entitlements:
            return plan
    return PRO_MONTHLY


def ensure_entitled(principal: Principal, entitlement: str) -> None:
    subscription = principal.subscription
    if entitlement in entitlements_for(subscription.plan, subscription.status):
        return
    plan = plan_needed_for(entitlement)
    raise UpgradeRequired(
        f"This needs the {plan.replace('_', ' ').title()} plan or higher.",
        details={"plan_needed": plan, "entitlement": entitlement},
    )


def require_entitlement(entitlement: str) -> Callable[[Principal], Awaitable[Principal]]:
    """A dependency that answers 402 upgrade_required unless the plan includes it."""

    async def dependency(principal: CurrentPrincipal) -> Principal:
        ensure_entitled(principal, entitlement)
        return principal

    return dependency
