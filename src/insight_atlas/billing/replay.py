"""Run a stored Stripe event through its `handle_*` function again, at most once.

The event row is claimed with a conditional UPDATE (`handled_at IS NULL`) as the first
statement of the transaction that also runs the handler and marks it handled. On
PostgreSQL a concurrent claim waits on the row lock and then finds `handled_at` set; on
SQLite the claim takes the database's write lock, so the second waits for the first to
commit and then matches no row. Either way the handler's changes commit once.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any, cast

import orjson
from sqlalchemy import Table, bindparam, update
from sqlalchemy.ext.asyncio import AsyncEngine

from insight_atlas.billing import event_store, repository, stripe_webhook
from insight_atlas.billing.errors import EventOrphaned, EventRefused
from insight_atlas.billing.event_store import Event, EventOutcome
from insight_atlas.billing.models import StripeEvent
from insight_atlas.ops.logging import get_logger
from insight_atlas.request_context import reset_request_id, set_request_id
from insight_atlas.settings import Settings

log = get_logger("insight_atlas.billing.replay")

HANDLED = "handled"
ALREADY_HANDLED = "already_handled"
NOT_FOUND = "not_found"
REDACTED = "redacted"
UNSUPPORTED = "unsupported"
# Outcomes that leave the event unapplied (the handler failed, or the event was refused).
PROBLEMS = frozenset({EventOutcome.FAILED, NOT_FOUND, REDACTED, UNSUPPORTED, EventOutcome.REFUSED})

_EVENTS: Table = StripeEvent.__table__  # type: ignore[assignment]
_CLAIM = (
    update(_EVENTS)
    .where(_EVENTS.c.stripe_event_id == bindparam("p_stripe_event_id"))
    .where(_EVENTS.c.handled_at.is_(None))
    .values(last_request_id=bindparam("p_request_id"))
    .returning(_EVENTS.c.id)
)


@dataclass(frozen=True, slots=True)
class ReplayResult:
    stripe_event_id: str
    status: str
    detail: str

    @property
    def problem(self) -> bool:
        return self.status in PROBLEMS


async def replay_event(
    engine: AsyncEngine, settings: Settings, stripe_event_id: str
) -> ReplayResult:
    request_id = f"replay-{uuid.uuid4().hex[:16]}"
    token = set_request_id(request_id)
    try:
        return await _replay(engine, settings, stripe_event_id, request_id)
    finally:
        reset_request_id(token)


async def _replay(
    engine: AsyncEngine, settings: Settings, stripe_event_id: str, request_id: str
) -> ReplayResult:
    def result(status: str, detail: str) -> ReplayResult:
        return ReplayResult(stripe_event_id, status, detail)

    async with engine.connect() as connection:
        found = await repository.stored_event(connection, stripe_event_id)
        # End the read before the claim: on SQLite a transaction that has read cannot
        # wait for the write lock, it fails at once when another writer got there first.
        await connection.rollback()
        if found is None:
            return result(NOT_FOUND, "no stored event with this id")
        record, payload_text = found
        event = cast(Event, orjson.loads(payload_text))
        if cast(dict[str, Any], event).get("redacted") is True:
            return result(
                REDACTED,
                "its payload was redacted when the account was deleted; nothing to replay",
            )
        handler = stripe_webhook.HANDLERS.get(record.type)
        if handler is None:
            return result(UNSUPPORTED, f"no handler for event type {record.type}")
        claimed = await connection.scalar(
            _CLAIM, {"p_stripe_event_id": stripe_event_id, "p_request_id": request_id}
        )
        if claimed is None:
            await connection.rollback()
            return result(ALREADY_HANDLED, "already handled; nothing replayed")
        payload = payload_text.encode("utf-8")
        try:
            await handler(connection, settings, event)
        except (EventOrphaned, EventRefused) as exc:
            outcome = (
                EventOutcome.ORPHANED if isinstance(exc, EventOrphaned) else EventOutcome.REFUSED
            )
            await event_store.record_settled(
                connection, event, payload, outcome=outcome, reason=str(exc)
            )
            await connection.commit()
            log.warning("stripe_event_replay_settled", event_id=stripe_event_id, outcome=outcome)
            return result(outcome, str(exc))
        except Exception as exc:
            await event_store.record_failure(connection, event, payload, exc)
            await connection.commit()
            log.warning("stripe_event_replay_failed", event_id=stripe_event_id, error=str(exc))
            return result(EventOutcome.FAILED, f"{type(exc).__name__}: {exc}")
        await event_store.mark_handled(connection, int(claimed))
        await connection.commit()
        log.info("stripe_event_replayed", event_id=stripe_event_id, event_type=record.type)
        return result(HANDLED, "handled")
