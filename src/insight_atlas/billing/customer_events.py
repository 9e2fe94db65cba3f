"""The stored Stripe events of one user: found for the export, redacted with the account.

`stripe_event.payload` is the raw JSON Stripe sent (text on both databases): it holds the
customer and subscription ids, our user id in `metadata`, and, in the events Stripe sends
for invoices and checkouts, the customer's e-mail address and name. Rows are picked with
LIKE on the quoted ids (a full scan, fine for an export or a deletion, never run on a hot
path) and each candidate is then confirmed on its parsed JSON, so a substring that only
looks like an id never selects another person's event. Candidates are read in batches.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import Table, bindparam, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from insight_atlas.billing import event_store
from insight_atlas.billing.models import StripeEvent
from insight_atlas.db import utcnow

BATCH_SIZE = 200
# Our user id is written by us into Stripe metadata and client_reference_id. Stripe
# sends JSON as `"key": "value"`; the sandbox sends it compact.
_USER_KEYS = ("user_id", "client_reference_id")
_SEPARATORS = (": ", ":")

_EVENTS: Table = StripeEvent.__table__  # type: ignore[assignment]
_REDACT = (
    update(_EVENTS)
    .where(_EVENTS.c.id == bindparam("p_row_id"))
    .values(
        payload=bindparam("p_payload"),
        # The error text may quote the ids ("no user found for customer=cus_…").
        last_error=None,
        # Nothing is left to apply it to: a redelivery is then answered as a duplicate.
        handled_at=bindparam("p_handled_at"),
        outcome=bindparam("p_outcome"),
    )
)


@dataclass(frozen=True, slots=True)
class EventOwner:
    """What ties a stored event to one user."""

    user_id: int
    stripe_ids: frozenset[str]  # customer and subscription ids

    @classmethod
    def of(cls, user_id: int, *stripe_ids: str | None) -> EventOwner:
        return cls(user_id, frozenset(i for i in stripe_ids if i))


@dataclass(frozen=True, slots=True)
class StoredEvent:
    row_id: int
    stripe_event_id: str
    type: str
    created_at: dt.datetime
    received_at: dt.datetime
    handled_at: dt.datetime | None
    outcome: str | None
    payload: dict[str, Any]


def _candidates(owner: EventOwner) -> Any:
    payload = _EVENTS.c.payload
    patterns = [f'"{stripe_id}"' for stripe_id in sorted(owner.stripe_ids)]
    patterns += [
        f'"{key}"{separator}"{owner.user_id}"' for key in _USER_KEYS for separator in _SEPARATORS
    ]
    return or_(*(payload.contains(pattern, autoescape=True) for pattern in patterns))


def _mentions(value: Any, owner: EventOwner, depth: int = 0) -> bool:
    """Whether the parsed event names the owner's Stripe ids or our id for them."""
    if depth > 32:  # Stripe objects nest a few levels; anything deeper is not theirs
        return False
    if isinstance(value, str):
        return value in owner.stripe_ids
    if isinstance(value, list):
        return any(_mentions(item, owner, depth + 1) for item in value)
    if isinstance(value, dict):
        user_id = str(owner.user_id)
        for key, item in value.items():
            if key == "client_reference_id" and item == user_id:
                return True
            if key == "metadata" and isinstance(item, dict) and item.get("user_id") == user_id:
                return True
            if _mentions(item, owner, depth + 1):
                return True
    return False


async def events_of(connection: AsyncConnection, owner: EventOwner) -> AsyncIterator[StoredEvent]:
    """The owner's stored events, oldest first, read `BATCH_SIZE` rows at a time."""
    columns = (
        _EVENTS.c.id,
        _EVENTS.c.stripe_event_id,
        _EVENTS.c.type,
        _EVENTS.c.stripe_created_at,
        _EVENTS.c.received_at,
        _EVENTS.c.handled_at,
        _EVENTS.c.outcome,
        _EVENTS.c.payload,
    )
    after = 0
    while True:
        rows = (
            await connection.execute(
                select(*columns)
                .where(_candidates(owner), _EVENTS.c.id > after)
                .order_by(_EVENTS.c.id)
                .limit(BATCH_SIZE)
            )
        ).all()
        for row in rows:
            try:
                payload = orjson.loads(row.payload)
            except orjson.JSONDecodeError:
                continue
            if payload.get("redacted") is True or not _mentions(payload, owner):
                continue
            yield StoredEvent(
                row_id=row.id,
                stripe_event_id=row.stripe_event_id,
                type=row.type,
                created_at=row.stripe_created_at,
                received_at=row.received_at,
                handled_at=row.handled_at,
                outcome=row.outcome,
                payload=payload,
            )
        if len(rows) < BATCH_SIZE:
            return
        after = rows[-1].id


async def redact_events_of(connection: AsyncConnection, owner: EventOwner) -> int:
    """Replace the payload of each of the owner's events; returns how many were redacted."""
    now = utcnow()
    redacted = 0
    batch: list[dict[str, Any]] = []
    async for event in events_of(connection, owner):
        batch.append(
            {
                "p_row_id": event.row_id,
                "p_payload": event_store.redacted_payload(
                    event.stripe_event_id, event.type, int(event.created_at.timestamp())
                ).decode(),
                "p_handled_at": event.handled_at or now,
                # One still failing is settled now: its account is gone.
                "p_outcome": event.outcome
                if event.handled_at
                else event_store.EventOutcome.ORPHANED,
            }
        )
        if len(batch) == BATCH_SIZE:
            redacted += await _write(connection, batch)
    return redacted + await _write(connection, batch)


async def _write(connection: AsyncConnection, batch: list[dict[str, Any]]) -> int:
    if not batch:
        return 0
    count = len(batch)
    await connection.execute(_REDACT, batch)
    batch.clear()
    return count


def export_events(events: Iterable[StoredEvent]) -> list[dict[str, Any]]:
    return [
        {
            "id": event.stripe_event_id,
            "type": event.type,
            "created_at": event.created_at,
            "received_at": event.received_at,
            "handled_at": event.handled_at,
            "payload": event.payload,
        }
        for event in events
    ]
