"""Stripe's view of a subscription, applied to our subscription row; newest state wins.

Stripe delivers events at least once and in no particular order, so every change is
checked against `stripe_state_at` (the `created` time of the newest event applied) and
against the rule that a canceled subscription never comes back to life.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from insight_atlas.billing.errors import EventNotApplicable
from insight_atlas.billing.models import Subscription
from insight_atlas.billing.plans import (
    FREE,
    PAST_DUE,
    PRO_MONTHLY,
    PRO_YEARLY,
    TERMINAL_STATUSES,
    has_live_paid_subscription,
)
from insight_atlas.db import utcnow
from insight_atlas.settings import Settings


@dataclass(frozen=True, slots=True)
class SubscriptionSnapshot:
    """The fields of a Stripe Subscription object that decide access."""

    subscription_id: str
    customer_id: str | None
    status: str
    price_id: str | None
    current_period_end: dt.datetime | None
    cancel_at_period_end: bool
    user_id_hint: int | None


def object_id(value: Any) -> str | None:
    """An id from a field Stripe sends either as "id" or as an expanded object."""
    if isinstance(value, Mapping):
        value = value.get("id")
    return value if isinstance(value, str) and value else None


def timestamp(value: Any) -> dt.datetime | None:
    if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
        return dt.datetime.fromtimestamp(value, dt.UTC)
    return None


def user_id_from(*candidates: Any) -> int | None:
    """Our user id from metadata or client_reference_id; the e-mail is never used."""
    for candidate in candidates:
        if isinstance(candidate, str) and candidate.isdigit():
            return int(candidate)
        if isinstance(candidate, int) and not isinstance(candidate, bool):
            return candidate
    return None


def snapshot_of(subscription: Mapping[str, Any]) -> SubscriptionSnapshot:
    subscription_id = object_id(subscription.get("id"))
    if subscription_id is None:
        raise EventNotApplicable("the subscription object has no id")
    items = (subscription.get("items") or {}).get("data") or []
    first_item: Mapping[str, Any] = items[0] if items else {}
    # Newer API versions keep the billing period on the item, older ones on the subscription.
    period_end = first_item.get("current_period_end") or subscription.get("current_period_end")
    metadata = subscription.get("metadata") or {}
    return SubscriptionSnapshot(
        subscription_id=subscription_id,
        customer_id=object_id(subscription.get("customer")),
        status=str(subscription.get("status") or ""),
        price_id=object_id(first_item.get("price")),
        current_period_end=timestamp(period_end),
        cancel_at_period_end=bool(subscription.get("cancel_at_period_end")),
        user_id_hint=user_id_from(metadata.get("user_id")),
    )


def plan_for_price(settings: Settings, price_id: str | None) -> str:
    """The plan is derived from the price Stripe bills, never from what a client says."""
    plans = {
        settings.stripe_price_pro_monthly: PRO_MONTHLY,
        settings.stripe_price_pro_yearly: PRO_YEARLY,
    }
    if price_id in plans:
        return plans[price_id]
    raise EventNotApplicable(f"price {price_id!r} is not a configured STRIPE_PRICE_* id")


@dataclass(slots=True)
class SubscriptionState:
    """The billing columns of one subscription row, read under a row lock.

    Handlers change these fields and `save` writes back what changed: plain Core
    statements, because the ORM unit of work dominated the cost of a webhook.
    """

    id: int
    user_id: int
    plan: str
    status: str
    stripe_customer_id: str | None
    stripe_subscription_id: str | None
    stripe_price_id: str | None
    current_period_end: dt.datetime | None
    cancel_at_period_end: bool
    stripe_state_at: dt.datetime | None
    grace_period_ends_at: dt.datetime | None
    loaded: dict[str, Any] = field(default_factory=dict)

    def changes(self) -> dict[str, Any]:
        return {
            name: getattr(self, name)
            for name in _STATE_COLUMNS
            if getattr(self, name) != self.loaded.get(name)
        }


_SUBSCRIPTIONS: Table = Subscription.__table__  # type: ignore[assignment]
_STATE_COLUMNS = tuple(
    name for name in SubscriptionState.__dataclass_fields__ if name not in ("id", "loaded")
)


def _locked_row_by(column_name: str) -> Any:
    columns = [_SUBSCRIPTIONS.c.id, *(_SUBSCRIPTIONS.c[name] for name in _STATE_COLUMNS)]
    return (
        select(*columns)
        .where(_SUBSCRIPTIONS.c[column_name] == bindparam("p_value"))
        .with_for_update()
    )


_BY_SUBSCRIPTION_ID = _locked_row_by("stripe_subscription_id")
_BY_CUSTOMER_ID = _locked_row_by("stripe_customer_id")
_BY_USER_ID = _locked_row_by("user_id")


async def find_subscription_row(
    connection: AsyncConnection,
    *,
    subscription_id: str | None = None,
    customer_id: str | None = None,
    user_id: int | None = None,
) -> SubscriptionState:
    """The row the event is about, locked until commit so events for one user serialise."""
    lookups = (
        (_BY_SUBSCRIPTION_ID, subscription_id),
        (_BY_CUSTOMER_ID, customer_id),
        (_BY_USER_ID, user_id),
    )
    for statement, value in lookups:
        if value is None:
            continue
        found = (await connection.execute(statement, {"p_value": value})).mappings().first()
        if found is None:
            continue
        row = SubscriptionState(**found, loaded=dict(found))
        # We create one customer per user; another customer on this user's row means the
        # event belongs elsewhere, and applying it could hand one person's payment to another.
        if customer_id and row.stripe_customer_id and row.stripe_customer_id != customer_id:
            raise EventNotApplicable(
                f"customer {customer_id} does not match the customer stored for user {row.user_id}"
            )
        return row
    raise EventNotApplicable(
        f"no user found for subscription={subscription_id} customer={customer_id} user={user_id}"
    )


async def save(connection: AsyncConnection, row: SubscriptionState) -> None:
    """Write the fields a handler changed (nothing when it changed none)."""
    changes = row.changes()
    if not changes:
        return
    await connection.execute(
        update(_SUBSCRIPTIONS)
        .where(_SUBSCRIPTIONS.c.id == row.id)
        .values(**changes, updated_at=utcnow())
    )


def is_stale(row: SubscriptionState, event_at: dt.datetime) -> bool:
    return row.stripe_state_at is not None and event_at < row.stripe_state_at


def apply_snapshot(
    row: SubscriptionState,
    snapshot: SubscriptionSnapshot,
    event_at: dt.datetime,
    settings: Settings,
) -> str | None:
    """Write the snapshot to the row; returns why it was skipped, or None when applied."""
    if is_stale(row, event_at):
        return "stale"
    same_subscription = row.stripe_subscription_id == snapshot.subscription_id
    if same_subscription and row.status in TERMINAL_STATUSES:
        if snapshot.status not in TERMINAL_STATUSES:
            # Canceled is final in Stripe: a late "updated" must not resurrect access.
            return "subscription_already_ended"
    if (
        not same_subscription
        and row.stripe_subscription_id is not None
        and has_live_paid_subscription(row.plan, row.status)
        and snapshot.status in TERMINAL_STATUSES
    ):
        return "other_subscription_is_live"
    if snapshot.status in TERMINAL_STATUSES and snapshot.price_id not in (
        settings.stripe_price_pro_monthly,
        settings.stripe_price_pro_yearly,
    ):
        plan = FREE
    else:
        plan = plan_for_price(settings, snapshot.price_id)
    set_status(row, snapshot.status, event_at, settings)
    row.plan = plan
    row.stripe_subscription_id = snapshot.subscription_id
    if snapshot.customer_id and row.stripe_customer_id is None:
        row.stripe_customer_id = snapshot.customer_id
    row.stripe_price_id = snapshot.price_id
    row.current_period_end = snapshot.current_period_end
    row.cancel_at_period_end = snapshot.cancel_at_period_end
    row.stripe_state_at = event_at
    return None


def set_status(
    row: SubscriptionState, status: str, event_at: dt.datetime, settings: Settings
) -> None:
    """Set the Stripe status; entering past_due starts the grace period once."""
    if status == PAST_DUE:
        if row.status != PAST_DUE or row.grace_period_ends_at is None:
            row.grace_period_ends_at = event_at + dt.timedelta(days=settings.past_due_grace_days)
    else:
        row.grace_period_ends_at = None
    row.status = status
