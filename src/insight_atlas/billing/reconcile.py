"""Compare our subscription rows with Stripe's, and bring them in line through the webhook.

Stripe's view comes from its API in stripe mode, and in sandbox mode from the newest
subscription object the sandbox sent (it keeps no other state). A fix feeds that object
to `handle_customer_subscription_updated`, exactly as a delivery of
`customer.subscription.updated` would, so the ordering and same-account rules of
subscription_sync decide what is written; there is no second write path.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, Protocol

import stripe
from sqlalchemy.ext.asyncio import AsyncEngine

from insight_atlas.billing import repository, stripe_webhook
from insight_atlas.billing import subscription_sync as sync
from insight_atlas.billing.errors import EventNotApplicable, EventOrphaned, EventRefused
from insight_atlas.billing.event_store import Event
from insight_atlas.billing.plans import TERMINAL_STATUSES, Plan
from insight_atlas.billing.repository import SubscriptionRecord
from insight_atlas.billing.stripe_client import stripe_client
from insight_atlas.db import utcnow
from insight_atlas.ops.logging import get_logger
from insight_atlas.settings import Settings

log = get_logger("insight_atlas.billing.reconcile")
PAGE_SIZE = 100
COMPARED_FIELDS = ("plan", "status", "current_period_end", "cancel_at_period_end")


@dataclass(frozen=True, slots=True)
class Difference:
    field: str
    ours: str
    stripe: str


@dataclass(slots=True)
class Reconciliation:
    user_id: int
    email: str
    subscription_id: str
    differences: list[Difference] = field(default_factory=list)
    fixed: bool = False
    error: str | None = None

    @property
    def in_sync(self) -> bool:
        return not self.differences and self.error is None


class StripeView(Protocol):
    async def subscription(self, subscription_id: str) -> dict[str, Any] | None:
        """Stripe's subscription object, or None when Stripe has no such subscription."""


class ApiView:
    def __init__(self, client: stripe.StripeClient) -> None:
        self._client = client

    async def subscription(self, subscription_id: str) -> dict[str, Any] | None:
        try:
            found = await self._client.v1.subscriptions.retrieve_async(subscription_id)
        except stripe.InvalidRequestError as exc:
            if exc.code == "resource_missing":
                return None
            raise
        return found.to_dict()


class SandboxView:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def subscription(self, subscription_id: str) -> dict[str, Any] | None:
        async with self._engine.connect() as connection:
            found = await repository.newest_subscription_object(connection, subscription_id)
        return found[0] if found is not None else None


@asynccontextmanager
async def stripe_view(settings: Settings, engine: AsyncEngine) -> AsyncIterator[StripeView]:
    if settings.billing_mode == "sandbox":
        yield SandboxView(engine)
        return
    async with stripe_client(settings) as client:
        yield ApiView(client)


def _text(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, dt.datetime):
        # Stripe counts in whole seconds.
        return value.astimezone(dt.UTC).replace(microsecond=0).isoformat()
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def stripe_plan(settings: Settings, snapshot: sync.SubscriptionSnapshot) -> str:
    """The plan the webhook derives from this snapshot (apply_snapshot's rule)."""
    configured = (settings.stripe_price_pro_monthly, settings.stripe_price_pro_yearly)
    if snapshot.status in TERMINAL_STATUSES and snapshot.price_id not in configured:
        return Plan.FREE.value
    try:
        return str(sync.plan_for_price(settings, snapshot.price_id))
    except EventNotApplicable:
        return f"unknown price {snapshot.price_id}"


def differences(
    settings: Settings, ours: SubscriptionRecord, theirs: dict[str, Any]
) -> list[Difference]:
    snapshot = sync.snapshot_of(theirs)
    stripe_values = {
        "plan": stripe_plan(settings, snapshot),
        "status": snapshot.status,
        "current_period_end": snapshot.current_period_end,
        "cancel_at_period_end": snapshot.cancel_at_period_end,
    }
    found = []
    for name in COMPARED_FIELDS:
        mine, theirs_value = _text(getattr(ours, name)), _text(stripe_values[name])
        if mine != theirs_value:
            found.append(Difference(name, mine, theirs_value))
    return found


async def apply_stripe_state(
    engine: AsyncEngine, settings: Settings, subscription: dict[str, Any]
) -> None:
    """Run the fetched object through the `customer.subscription.updated` handler.

    Stamped now: the object is Stripe's state as of now, so an older event delivered
    later must not undo it, which is what the handler's ordering makes of it.
    """
    event: Event = {
        "id": f"evt_reconcile_{uuid.uuid4().hex[:20]}",
        "type": "customer.subscription.updated",
        "created": int(utcnow().timestamp()),
        "livemode": bool(subscription.get("livemode")),
        "data": {"object": subscription},
    }
    async with engine.connect() as connection:
        await stripe_webhook.handle_customer_subscription_updated(connection, settings, event)
        await connection.commit()


async def reconcile_one(
    engine: AsyncEngine, settings: Settings, view: StripeView, record: SubscriptionRecord, fix: bool
) -> Reconciliation:
    assert record.stripe_subscription_id is not None
    result = Reconciliation(record.user_id, record.email, record.stripe_subscription_id)
    theirs = await view.subscription(record.stripe_subscription_id)
    if theirs is None:
        result.error = "Stripe has no such subscription"
        return result
    result.differences = differences(settings, record, theirs)
    if not fix or not result.differences:
        return result
    try:
        await apply_stripe_state(engine, settings, theirs)
    except (EventNotApplicable, EventRefused, EventOrphaned) as exc:
        result.error = f"not applied: {exc}"
        return result
    async with engine.connect() as connection:
        after = await repository.subscription_of(connection, record.user_id)
    assert after is not None
    remaining = differences(settings, after, theirs)
    result.fixed = not remaining
    if remaining:
        # The webhook's rules refused part of it (a canceled subscription stays canceled).
        result.error = "the webhook's rules left differences in place"
    result.differences = remaining if remaining else result.differences
    log.info(
        "subscription_reconciled",
        user_id=record.user_id,
        subscription_id=record.stripe_subscription_id,
        fixed=result.fixed,
    )
    return result


async def linked_subscriptions(engine: AsyncEngine) -> AsyncIterator[SubscriptionRecord]:
    """Every row linked to a Stripe subscription, read PAGE_SIZE rows at a time by user id
    (keyset paging: a fix between pages changes no page boundary)."""
    after = 0
    while True:
        async with engine.connect() as connection:
            page = await repository.linked_subscriptions_page(
                connection, after_user_id=after, limit=PAGE_SIZE
            )
        for record in page:
            yield record
        if len(page) < PAGE_SIZE:
            return
        after = page[-1].user_id
