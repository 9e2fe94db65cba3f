"""Stripe webhooks: verify, store once, route to one `handle_*` function per event type.

Each accepted event is a row in `stripe_event` (unique Stripe event id), written in the
same transaction as the handler's changes: on success `handled_at` is set and both commit
together; on failure the handler's changes are rolled back, the event row is written with
its error and attempt count, and the answer is 500, so Stripe delivers the event again
and the next delivery runs the handler again.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeGuard

import orjson
import structlog
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from stripe import SignatureVerificationError, WebhookSignature

from insight_atlas.billing import event_store
from insight_atlas.billing import subscription_sync as sync
from insight_atlas.billing.errors import (
    EventOrphaned,
    EventRefused,
    InvalidPayload,
    InvalidSignature,
    MissingSignature,
    WebhookHandlerFailed,
)
from insight_atlas.billing.event_store import Event
from insight_atlas.billing.plans import (
    PAID_ACCESS_STATUSES,
    TERMINAL_STATUSES,
    SubscriptionStatus,
)
from insight_atlas.billing.schemas import WebhookReceipt
from insight_atlas.errors import AppError
from insight_atlas.ops.logging import get_logger
from insight_atlas.ops.metrics import WEBHOOK_EVENTS, labelled
from insight_atlas.settings import Settings

# Stripe's own default: a captured delivery cannot be replayed after five minutes.
SIGNATURE_TOLERANCE_SECONDS = 300
# Stripe signs and stamps with its own clock; ours may run behind it by this much at most.
# A signature or `created` further ahead is not a delivery of now: a future `created`
# would also outrank every real event of the subscription until that time came.
CLOCK_SKEW_SECONDS = 60
# The longest event id and type the `stripe_event` columns hold (Stripe's are far shorter).
MAX_EVENT_ID_CHARS = 255
MAX_EVENT_TYPE_CHARS = 100

log = get_logger("insight_atlas.billing.stripe_webhook")

Handler = Callable[[AsyncConnection, Settings, Event], Awaitable[None]]


def verify_and_parse(payload: bytes, signature: str | None, secret: str) -> Event:
    """The event, once its Stripe-Signature verifies against the raw body."""
    if not signature:
        log.warning("stripe_webhook_rejected", reason="missing_signature")
        labelled(WEBHOOK_EVENTS, "unverified", "missing_signature").inc()
        raise MissingSignature()
    now = time.time()
    try:
        WebhookSignature.verify_header(payload, signature, secret, SIGNATURE_TOLERANCE_SECONDS)
        signed_at = _signature_time(signature)
        if signed_at > now + CLOCK_SKEW_SECONDS:
            raise ValueError(f"signature timestamp {signed_at} is in the future")
    except (SignatureVerificationError, ValueError, IndexError) as exc:
        log.warning("stripe_webhook_rejected", reason="invalid_signature", detail=str(exc)[:200])
        labelled(WEBHOOK_EVENTS, "unverified", "invalid_signature").inc()
        raise InvalidSignature() from exc
    try:
        event = orjson.loads(payload)
    except orjson.JSONDecodeError as exc:
        raise InvalidPayload() from exc
    if not is_event(event, now):
        log.warning("stripe_webhook_rejected", reason="invalid_payload")
        labelled(WEBHOOK_EVENTS, "unverified", "invalid_payload").inc()
        raise InvalidPayload()
    return event


def _signature_time(header: str) -> int:
    """The `t=` of a Stripe-Signature header (verify_header checked it is there)."""
    for item in header.split(","):
        key, _, value = item.strip().partition("=")
        if key == "t":
            return int(value)
    raise ValueError("no timestamp in the signature header")


def is_event(event: Any, now: float) -> TypeGuard[Event]:
    """The fields every handler relies on are there and in range (else 400, nothing stored)."""
    if not isinstance(event, dict):
        return False
    event_id, event_type, created = event.get("id"), event.get("type"), event.get("created")
    return (
        isinstance(event_id, str)
        and 0 < len(event_id) <= MAX_EVENT_ID_CHARS
        and isinstance(event_type, str)
        and 0 < len(event_type) <= MAX_EVENT_TYPE_CHARS
        # bool is an int in Python; `true` is not a time.
        and isinstance(created, int)
        and not isinstance(created, bool)
        and sync.EARLIEST_UNIX_TIME <= created <= now + CLOCK_SKEW_SECONDS
        and isinstance(event.get("data"), dict)
        and isinstance(event["data"].get("object"), dict)
    )


async def process_delivery(
    engine: AsyncEngine, settings: Settings, payload: bytes, signature: str | None
) -> WebhookReceipt:
    """One delivery, one transaction on a plain connection.

    The webhook owns its transaction instead of using the request's session dependency:
    every statement here is Core, and the ORM session and dependency machinery were a
    third of the CPU of a delivery. Same rules: commit on success, commit when the error
    keeps changes (a handler failure's record), roll back otherwise.
    """
    async with engine.connect() as connection:
        try:
            receipt = await receive(connection, settings, payload, signature)
        except AppError as exc:
            if exc.keeps_changes:
                await connection.commit()
            raise
        await connection.commit()
        return receipt


async def receive(
    connection: AsyncConnection, settings: Settings, payload: bytes, signature: str | None
) -> WebhookReceipt:
    event = verify_and_parse(payload, signature, settings.stripe_webhook_secret)
    event_id, event_type = event["id"], event["type"]
    with structlog.contextvars.bound_contextvars(event_id=event_id, event_type=event_type):
        handler = HANDLERS.get(event_type)
        if handler is None:
            # Not stored: only allow-listed types change anything here.
            log.info("stripe_event_ignored")
            labelled(WEBHOOK_EVENTS, "other", "ignored").inc()
            return WebhookReceipt(status="ignored", event_id=event_id)
        claim, row_id = await event_store.claim(connection, event, payload)
        if claim is event_store.Claim.DUPLICATE:
            log.info("stripe_event_duplicate")
            labelled(WEBHOOK_EVENTS, event_type, "duplicate").inc()
            return WebhookReceipt(status="duplicate", event_id=event_id)
        try:
            await handler(connection, settings, event)
        except (EventOrphaned, EventRefused) as exc:
            outcome = (
                event_store.EventOutcome.ORPHANED
                if isinstance(exc, EventOrphaned)
                else event_store.EventOutcome.REFUSED
            )
            await event_store.record_settled(
                connection, event, payload, outcome=outcome, reason=str(exc)
            )
            # Acknowledged: Stripe's retries could not change the answer.
            log.warning("stripe_event_settled", outcome=outcome, reason=str(exc))
            labelled(WEBHOOK_EVENTS, event_type, outcome).inc()
            return WebhookReceipt(status=outcome, event_id=event_id)
        except Exception as exc:
            await event_store.record_failure(connection, event, payload, exc)
            log.exception("stripe_event_failed")
            labelled(WEBHOOK_EVENTS, event_type, event_store.EventOutcome.FAILED).inc()
            raise WebhookHandlerFailed() from exc
        if claim is event_store.Claim.RETRY:
            await event_store.mark_handled(connection, row_id)
        log.info("stripe_event_handled")
        labelled(WEBHOOK_EVENTS, event_type, event_store.EventOutcome.HANDLED).inc()
        return WebhookReceipt(status=event_store.EventOutcome.HANDLED, event_id=event_id)


def _event_time(event: Event) -> dt.datetime:
    return dt.datetime.fromtimestamp(event["created"], dt.UTC)


def _skipped(reason: str, **context: Any) -> None:
    log.info("stripe_event_not_applied", reason=reason, **context)


async def handle_checkout_session_completed(
    connection: AsyncConnection, settings: Settings, event: Event
) -> None:
    """Links the Stripe customer and subscription to the user who started the checkout."""
    checkout = sync.checkout_fields_of(event["data"]["object"])
    if not checkout.is_subscription:
        _skipped("not_a_subscription_checkout")
        return
    customer_id, subscription_id = checkout.customer_id, checkout.subscription_id
    row = await sync.find_subscription_row(
        connection, customer_id=customer_id, user_id=checkout.user_id
    )
    if row.stripe_customer_id is None:
        row.stripe_customer_id = customer_id
    # Plan and status come from the subscription events, which carry the price.
    if row.stripe_subscription_id is None and subscription_id is not None:
        row.stripe_subscription_id = subscription_id
    await sync.save(connection, row)
    log.info("checkout_linked", user_id=row.user_id, subscription_id=subscription_id)


async def _apply_subscription_event(
    connection: AsyncConnection, settings: Settings, event: Event
) -> None:
    snapshot = sync.snapshot_of(event["data"]["object"])
    row = await sync.find_subscription_row(
        connection,
        subscription_id=snapshot.subscription_id,
        customer_id=snapshot.customer_id,
        user_id=snapshot.user_id_hint,
    )
    skipped = sync.apply_snapshot(row, snapshot, _event_time(event), event["type"], settings)
    if skipped:
        _skipped(skipped, user_id=row.user_id, subscription_id=snapshot.subscription_id)
        return
    await sync.save(connection, row)
    log.info(
        "subscription_applied",
        user_id=row.user_id,
        subscription_id=snapshot.subscription_id,
        plan=row.plan,
        status=row.status,
    )


async def handle_customer_subscription_created(
    connection: AsyncConnection, settings: Settings, event: Event
) -> None:
    """A new subscription: plan from its price, status as Stripe reports it."""
    await _apply_subscription_event(connection, settings, event)


async def handle_customer_subscription_updated(
    connection: AsyncConnection, settings: Settings, event: Event
) -> None:
    """Plan change, renewal, cancel-at-period-end, past_due: the newest snapshot wins."""
    await _apply_subscription_event(connection, settings, event)


async def handle_customer_subscription_deleted(
    connection: AsyncConnection, settings: Settings, event: Event
) -> None:
    """The subscription ended (status canceled): the user is back on Free."""
    await _apply_subscription_event(connection, settings, event)


async def _invoice_row(
    connection: AsyncConnection, invoice: sync.InvoiceFields
) -> tuple[sync.SubscriptionState | None, str | None]:
    subscription_id = invoice.subscription_id
    if subscription_id is None:
        _skipped("invoice_without_subscription")
        return None, None
    row = await sync.find_subscription_row(
        connection,
        subscription_id=subscription_id,
        customer_id=invoice.customer_id,
        user_id=invoice.user_id,
    )
    if row.stripe_subscription_id != subscription_id:
        # The subscription events will carry this subscription's state when they arrive.
        _skipped("invoice_for_other_subscription", subscription_id=subscription_id)
        return None, None
    if row.status in TERMINAL_STATUSES:
        _skipped("subscription_already_ended", subscription_id=subscription_id)
        return None, None
    return row, subscription_id


def _invoice_sets_status(row: sync.SubscriptionState, status: str, event: Event) -> bool:
    # An invoice changes only the status, so it is ordered against the status alone: a
    # paid invoice that arrives before its subscription does not make the subscription's
    # own (older) events stale, and those still bring the plan.
    if sync.is_newer(_event_time(event), row.stripe_status_at, status, row.status):
        return True
    _skipped("stale", subscription_id=row.stripe_subscription_id, status=row.status)
    return False


async def handle_invoice_paid(
    connection: AsyncConnection, settings: Settings, event: Event
) -> None:
    """A payment went through: the subscription is active (again)."""
    invoice = sync.invoice_fields_of(event["data"]["object"])
    row, subscription_id = await _invoice_row(connection, invoice)
    if row is None:
        return
    latest = invoice.latest_period_end
    if latest is not None and (row.current_period_end is None or latest > row.current_period_end):
        # A paid period only ever moves forward, whatever order the invoices came in.
        row.current_period_end = latest
    # A trial's zero-amount invoice is paid at its start; the trial goes on.
    if row.status != SubscriptionStatus.TRIALING and _invoice_sets_status(
        row, SubscriptionStatus.ACTIVE, event
    ):
        sync.set_status(row, SubscriptionStatus.ACTIVE, _event_time(event), settings)
    await sync.save(connection, row)
    log.info("invoice_paid_applied", user_id=row.user_id, subscription_id=subscription_id)


async def handle_invoice_payment_failed(
    connection: AsyncConnection, settings: Settings, event: Event
) -> None:
    """A payment failed: past_due, with paid features kept until the grace period ends."""
    invoice = sync.invoice_fields_of(event["data"]["object"])
    row, subscription_id = await _invoice_row(connection, invoice)
    if row is None:
        return
    if row.status not in PAID_ACCESS_STATUSES:
        _skipped("not_billing", status=row.status)
        return
    if not _invoice_sets_status(row, SubscriptionStatus.PAST_DUE, event):
        return
    sync.set_status(row, SubscriptionStatus.PAST_DUE, _event_time(event), settings)
    await sync.save(connection, row)
    log.info(
        "invoice_payment_failed_applied",
        user_id=row.user_id,
        subscription_id=subscription_id,
        grace_period_ends_at=row.grace_period_ends_at.isoformat()
        if row.grace_period_ends_at
        else None,
    )


HANDLERS: dict[str, Handler] = {
    "checkout.session.completed": handle_checkout_session_completed,
    "customer.subscription.created": handle_customer_subscription_created,
    "customer.subscription.updated": handle_customer_subscription_updated,
    "customer.subscription.deleted": handle_customer_subscription_deleted,
    "invoice.paid": handle_invoice_paid,
    "invoice.payment_failed": handle_invoice_payment_failed,
}
