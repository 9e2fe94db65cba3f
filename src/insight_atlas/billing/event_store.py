"""The `stripe_event` table as the webhook uses it: claim an event once, record the outcome.

Prebuilt Core statements on the delivery's connection: a webhook is a handful of short
statements, and building them per request was most of its CPU cost.
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
from typing import Any, NotRequired, TypedDict

import orjson
from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from insight_atlas.billing.models import StripeEvent
from insight_atlas.db import utcnow
from insight_atlas.request_context import current_request_id

MAX_ERROR_CHARS = 4000


class EventData(TypedDict):
    object: dict[str, Any]


class Event(TypedDict):
    """A verified Stripe event: the envelope fields we read (stripe_webhook.is_event checks
    them). The object's fields are read into typed values by subscription_sync."""

    id: str
    type: str
    created: int
    livemode: NotRequired[bool]
    data: EventData


def _event_time(event: Event) -> dt.datetime:
    return dt.datetime.fromtimestamp(event["created"], dt.UTC)


_EVENTS: Table = StripeEvent.__table__  # type: ignore[assignment]
_EVENT_COLUMNS = (
    "stripe_event_id",
    "type",
    "livemode",
    "stripe_created_at",
    "payload",
    "received_at",
    "attempts",
    "handled_at",
    "last_error",
    "last_request_id",
    "outcome",
)


class EventOutcome(enum.StrEnum):
    """`stripe_event.outcome`: what became of an event."""

    HANDLED = "handled"
    ORPHANED = "orphaned"  # its account was deleted
    REFUSED = "refused"  # names another person's billing account
    FAILED = "failed"  # the handler failed; Stripe retries


class Claim(enum.StrEnum):
    """What `claim` found: a new event, a retry of a failed one, or one already handled."""

    NEW = "new"
    RETRY = "retry"
    DUPLICATE = "duplicate"


_LOCK_EVENT = (
    select(_EVENTS.c.id, _EVENTS.c.handled_at)
    .where(_EVENTS.c.stripe_event_id == bindparam("p_stripe_event_id"))
    .with_for_update()
)
_MARK_HANDLED = (
    update(_EVENTS)
    .where(_EVENTS.c.id == bindparam("p_row_id"))
    .values(
        handled_at=bindparam("p_handled_at"),
        attempts=_EVENTS.c.attempts + 1,
        last_error=None,
        last_request_id=bindparam("p_request_id"),
        outcome=EventOutcome.HANDLED,
    )
)


@functools.cache
def _insert_event(dialect: str) -> Any:
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    return insert(_EVENTS).values({name: bindparam(f"p_{name}") for name in _EVENT_COLUMNS})


@functools.cache
def _insert_new_event(dialect: str) -> Any:
    return (
        _insert_event(dialect)
        .on_conflict_do_nothing(index_elements=["stripe_event_id"])
        .returning(_EVENTS.c.id)
    )


@functools.cache
def _upsert_unhandled_event(dialect: str, settle: bool) -> Any:
    """Insert the event, or update its row while it is unhandled: a failure keeps the row
    retryable; settling (orphaned, refused) also stamps it handled with its stored payload."""
    statement = _insert_event(dialect)
    excluded = statement.excluded
    changes: dict[str, Any] = {
        "attempts": _EVENTS.c.attempts + 1,
        "last_error": excluded.last_error,
        "last_request_id": excluded.last_request_id,
        "outcome": excluded.outcome,
    }
    if settle:
        changes |= {"handled_at": excluded.handled_at, "payload": excluded.payload}
    return statement.on_conflict_do_update(
        index_elements=["stripe_event_id"],
        set_=changes,
        # A concurrent delivery may have handled it meanwhile: then this outcome is moot.
        where=_EVENTS.c.handled_at.is_(None),
    )


def _event_params(event: Event, payload: bytes, **overrides: Any) -> dict[str, Any]:
    values = {
        "stripe_event_id": event["id"],
        "type": event["type"],
        "livemode": bool(event.get("livemode")),
        "stripe_created_at": _event_time(event),
        "payload": payload.decode("utf-8"),
        "received_at": utcnow(),
        "attempts": 1,
        "handled_at": None,
        "last_error": None,
        "last_request_id": current_request_id(),
        "outcome": EventOutcome.HANDLED,
    } | overrides
    return {f"p_{name}": value for name, value in values.items()}


async def claim(connection: AsyncConnection, event: Event, payload: bytes) -> tuple[Claim, int]:
    """Claim the event: (what was found, row id); the row stays locked.

    A new event is inserted already marked handled: the row commits together with the
    handler's changes or not at all (a failure rolls both back), which saves a round
    trip. A concurrent delivery of the same event waits on that insert (PostgreSQL) or
    on the write lock (SQLite), then on the row lock, and finds `handled_at` set.
    """
    dialect = connection.dialect.name
    inserted = await connection.scalar(
        _insert_new_event(dialect), _event_params(event, payload, handled_at=utcnow())
    )
    if inserted is not None:
        return Claim.NEW, int(inserted)
    existing = (await connection.execute(_LOCK_EVENT, {"p_stripe_event_id": event["id"]})).one()
    if existing.handled_at is not None:
        return Claim.DUPLICATE, int(existing.id)
    return Claim.RETRY, int(existing.id)


async def mark_handled(connection: AsyncConnection, row_id: int) -> None:
    await connection.execute(
        _MARK_HANDLED,
        {"p_row_id": row_id, "p_handled_at": utcnow(), "p_request_id": current_request_id()},
    )


async def record_failure(
    connection: AsyncConnection, event: Event, payload: bytes, exc: Exception
) -> None:
    """Undo everything the handler did; keep the event, one more attempt and the error."""
    await connection.rollback()
    error = f"{type(exc).__name__}: {exc}"[:MAX_ERROR_CHARS]
    params = _event_params(event, payload, last_error=error, outcome=EventOutcome.FAILED)
    await connection.execute(_upsert_unhandled_event(connection.dialect.name, False), params)


def redacted_payload(event_id: str, event_type: str, created: int) -> bytes:
    """What idempotency needs of an event, and nothing about the person it concerned."""
    return orjson.dumps({"id": event_id, "type": event_type, "created": created, "redacted": True})


async def record_settled(
    connection: AsyncConnection,
    event: Event,
    payload: bytes,
    *,
    outcome: str,
    reason: str,
) -> None:
    """Undo what the handler did; keep the event as settled (never retried) with why.

    An orphaned event keeps only its id, type and time: its account is gone, and its
    payload (customer, e-mail, name) is what the deletion promised to drop.
    """
    await connection.rollback()
    stored = (
        redacted_payload(event["id"], event["type"], event["created"])
        if outcome == EventOutcome.ORPHANED
        else payload
    )
    params = _event_params(
        event,
        stored,
        handled_at=utcnow(),
        outcome=outcome,
        last_error=reason[:MAX_ERROR_CHARS],
    )
    await connection.execute(_upsert_unhandled_event(connection.dialect.name, True), params)
