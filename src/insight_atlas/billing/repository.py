"""Read queries over billing tables for operators' tools.

The webhook path keeps its own prebuilt statements (event_store, subscription_sync); these
are the slower, more general reads behind `atlas admin`, never on a request's hot path.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import Table, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from insight_atlas.accounts.models import User
from insight_atlas.billing import customer_events
from insight_atlas.billing.event_store import EventOutcome
from insight_atlas.billing.models import StripeEvent, Subscription

_EVENTS: Table = StripeEvent.__table__  # type: ignore[assignment]
_SUBSCRIPTIONS: Table = Subscription.__table__  # type: ignore[assignment]
SUBSCRIPTION_EVENT_PREFIX = "customer.subscription."


@dataclass(frozen=True, slots=True)
class SubscriptionRecord:
    user_id: int
    email: str
    plan: str
    status: str
    stripe_customer_id: str | None
    stripe_subscription_id: str | None
    stripe_price_id: str | None
    current_period_end: dt.datetime | None
    cancel_at_period_end: bool
    grace_period_ends_at: dt.datetime | None
    stripe_state_at: dt.datetime | None
    stripe_status_at: dt.datetime | None


@dataclass(frozen=True, slots=True)
class EventRecord:
    """A stored event's bookkeeping; the payload stays in the table."""

    row_id: int
    stripe_event_id: str
    type: str
    outcome: str | None
    attempts: int
    last_error: str | None
    stripe_created_at: dt.datetime
    received_at: dt.datetime
    handled_at: dt.datetime | None


_SUBSCRIPTION_COLUMNS = (
    _SUBSCRIPTIONS.c.user_id,
    User.email,
    _SUBSCRIPTIONS.c.plan,
    _SUBSCRIPTIONS.c.status,
    _SUBSCRIPTIONS.c.stripe_customer_id,
    _SUBSCRIPTIONS.c.stripe_subscription_id,
    _SUBSCRIPTIONS.c.stripe_price_id,
    _SUBSCRIPTIONS.c.current_period_end,
    _SUBSCRIPTIONS.c.cancel_at_period_end,
    _SUBSCRIPTIONS.c.grace_period_ends_at,
    _SUBSCRIPTIONS.c.stripe_state_at,
    _SUBSCRIPTIONS.c.stripe_status_at,
)
_EVENT_COLUMNS = (
    _EVENTS.c.id.label("row_id"),
    _EVENTS.c.stripe_event_id,
    _EVENTS.c.type,
    _EVENTS.c.outcome,
    _EVENTS.c.attempts,
    _EVENTS.c.last_error,
    _EVENTS.c.stripe_created_at,
    _EVENTS.c.received_at,
    _EVENTS.c.handled_at,
)


def _subscriptions() -> Any:
    return select(*_SUBSCRIPTION_COLUMNS).join(User, User.id == _SUBSCRIPTIONS.c.user_id)


async def subscription_of(connection: AsyncConnection, user_id: int) -> SubscriptionRecord | None:
    row = (await connection.execute(_subscriptions().where(User.id == user_id))).first()
    return SubscriptionRecord(**row._mapping) if row is not None else None


async def linked_subscriptions_page(
    connection: AsyncConnection, *, after_user_id: int, limit: int
) -> list[SubscriptionRecord]:
    """Rows linked to a Stripe subscription, by user id, one keyset page at a time."""
    rows = await connection.execute(
        _subscriptions()
        .where(
            _SUBSCRIPTIONS.c.stripe_subscription_id.is_not(None),
            _SUBSCRIPTIONS.c.user_id > after_user_id,
        )
        .order_by(_SUBSCRIPTIONS.c.user_id)
        .limit(limit)
    )
    return [SubscriptionRecord(**row._mapping) for row in rows]


async def events_touching(
    connection: AsyncConnection, owner: customer_events.EventOwner, limit: int
) -> list[EventRecord]:
    """The newest `limit` stored events naming the owner's customer, subscription or user
    id, matched on the parsed payload as the export matches them."""
    row_ids = [event.row_id async for event in customer_events.events_of(connection, owner)]
    newest = row_ids[-limit:] if limit else []
    if not newest:
        return []
    rows = await connection.execute(
        select(*_EVENT_COLUMNS)
        .where(_EVENTS.c.id.in_(newest))
        .order_by(_EVENTS.c.received_at.desc(), _EVENTS.c.id.desc())
    )
    return [EventRecord(**row._mapping) for row in rows]


async def list_events(
    connection: AsyncConnection,
    *,
    failed_only: bool,
    event_type: str | None,
    since: dt.datetime | None,
    limit: int,
) -> list[EventRecord]:
    statement = select(*_EVENT_COLUMNS)
    if failed_only:
        statement = statement.where(
            _EVENTS.c.outcome == EventOutcome.FAILED, _EVENTS.c.handled_at.is_(None)
        )
    if event_type:
        statement = statement.where(_EVENTS.c.type == event_type)
    if since is not None:
        statement = statement.where(_EVENTS.c.received_at >= since)
    statement = statement.order_by(_EVENTS.c.received_at.desc(), _EVENTS.c.id.desc()).limit(limit)
    return [EventRecord(**row._mapping) for row in await connection.execute(statement)]


async def failed_event_ids(connection: AsyncConnection) -> list[str]:
    """Events whose handler failed and that no delivery has handled since, oldest first."""
    rows = await connection.execute(
        select(_EVENTS.c.stripe_event_id)
        .where(_EVENTS.c.outcome == EventOutcome.FAILED, _EVENTS.c.handled_at.is_(None))
        .order_by(_EVENTS.c.stripe_created_at, _EVENTS.c.id)
    )
    return [row.stripe_event_id for row in rows]


async def stored_event(
    connection: AsyncConnection, stripe_event_id: str
) -> tuple[EventRecord, str] | None:
    """An event's bookkeeping and its stored payload text."""
    row = (
        await connection.execute(
            select(*_EVENT_COLUMNS, _EVENTS.c.payload).where(
                _EVENTS.c.stripe_event_id == stripe_event_id
            )
        )
    ).first()
    if row is None:
        return None
    values = dict(row._mapping)
    payload = str(values.pop("payload"))
    return EventRecord(**values), payload


async def newest_subscription_object(
    connection: AsyncConnection, subscription_id: str
) -> tuple[dict[str, Any], dt.datetime] | None:
    """The subscription object of the newest stored `customer.subscription.*` event about
    `subscription_id`, and that event's time: the sandbox's own record of the subscription
    (it keeps no other state; every change it makes goes out as such an event)."""
    rows = await connection.execute(
        select(_EVENTS.c.payload, _EVENTS.c.stripe_created_at)
        .where(
            _EVENTS.c.type.startswith(SUBSCRIPTION_EVENT_PREFIX, autoescape=True),
            _EVENTS.c.payload.contains(f'"{subscription_id}"', autoescape=True),
        )
        .order_by(_EVENTS.c.stripe_created_at.desc(), _EVENTS.c.id.desc())
    )
    for row in rows:
        try:
            event = orjson.loads(row.payload)
        except orjson.JSONDecodeError:
            continue
        obj = (event.get("data") or {}).get("object")
        if isinstance(obj, dict) and obj.get("id") == subscription_id:
            return obj, row.stripe_created_at
    return None


# --- the account's own billing flows (billing/service.py) ------------------------------


async def subscription_row(
    session: AsyncSession, user_id: int, *, lock: bool = False
) -> Subscription | None:
    """The user's subscription row; with `lock`, locked until the transaction ends (so a
    checkout and a webhook for one user do not interleave)."""
    statement = select(Subscription).where(Subscription.user_id == user_id)
    return await session.scalar(statement.with_for_update() if lock else statement)
