"""Stripe's view of a subscription, applied to our subscription row; newest state wins.

Stripe delivers events at least once and in no particular order. Each event is ordered
only against state of its own kind: the subscription object's fields (plan, price,
period, cancel flag) against `stripe_state_at`, the time of the newest subscription
event applied; the status, which invoices change too, against `stripe_status_at`. Two
events of the same second are ordered by how far along a subscription's life their
status is (`STATUS_STAGE`), so no arrival order can move a status back. A canceled
subscription never comes back to life. docs/BILLING.md states the rules.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from insight_atlas.accounts.models import User
from insight_atlas.billing.errors import EventNotApplicable, EventOrphaned, EventRefused
from insight_atlas.billing.models import DeletedStripeCustomer, Subscription
from insight_atlas.billing.plans import (
    TERMINAL_STATUSES,
    Plan,
    SubscriptionStatus,
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


# Unix times outside these bounds are not instants Stripe could mean (and beyond year 9999
# `datetime` cannot hold them): such a field is treated as absent, never as a crash.
EARLIEST_UNIX_TIME = 946_684_800  # 2000-01-01
LATEST_UNIX_TIME = 253_402_300_799  # 9999-12-31T23:59:59


def timestamp(value: Any) -> dt.datetime | None:
    if (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and EARLIEST_UNIX_TIME <= value <= LATEST_UNIX_TIME
    ):
        return dt.datetime.fromtimestamp(value, dt.UTC)
    return None


# Our user ids are positive 64-bit integers; anything else is not one of ours.
_MAX_USER_ID = 2**63 - 1


def user_id_from(*candidates: Any) -> int | None:
    """Our user id from metadata or client_reference_id; the e-mail is never used."""
    for candidate in candidates:
        if isinstance(candidate, str) and candidate.isascii() and candidate.isdigit():
            candidate = int(candidate) if len(candidate) <= 19 else None
        if isinstance(candidate, int) and not isinstance(candidate, bool):
            return candidate if 0 < candidate <= _MAX_USER_ID else None
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


@dataclass(frozen=True, slots=True)
class CheckoutFields:
    """The fields of a Stripe Checkout Session that link a customer to one of our users."""

    is_subscription: bool
    user_id: int | None
    customer_id: str | None
    subscription_id: str | None


def checkout_fields_of(checkout: Mapping[str, Any]) -> CheckoutFields:
    metadata = checkout.get("metadata") or {}
    return CheckoutFields(
        is_subscription=checkout.get("mode") == "subscription",
        user_id=user_id_from(checkout.get("client_reference_id"), metadata.get("user_id")),
        customer_id=object_id(checkout.get("customer")),
        subscription_id=object_id(checkout.get("subscription")),
    )


@dataclass(frozen=True, slots=True)
class InvoiceFields:
    """The fields of a Stripe Invoice that move a subscription's status and paid period."""

    subscription_id: str | None
    customer_id: str | None
    user_id: int | None
    latest_period_end: dt.datetime | None


def invoice_fields_of(invoice: Mapping[str, Any]) -> InvoiceFields:
    # Newer API versions move the subscription under parent.subscription_details.
    details = (invoice.get("parent") or {}).get("subscription_details")
    details = details if isinstance(details, Mapping) else {}
    metadata = details.get("metadata") or {}
    lines = (invoice.get("lines") or {}).get("data") or []
    period_ends = [timestamp((line.get("period") or {}).get("end")) for line in lines]
    return InvoiceFields(
        subscription_id=object_id(details.get("subscription"))
        or object_id(invoice.get("subscription")),
        customer_id=object_id(invoice.get("customer")),
        user_id=user_id_from(metadata.get("user_id")),
        latest_period_end=max((end for end in period_ends if end is not None), default=None),
    )


def plan_for_price(settings: Settings, price_id: str | None) -> str:
    """The plan is derived from the price Stripe bills, never from what a client says."""
    plans = {
        settings.stripe_price_pro_monthly: Plan.PRO_MONTHLY,
        settings.stripe_price_pro_yearly: Plan.PRO_YEARLY,
    }
    if price_id in plans:
        return plans[price_id]
    raise EventNotApplicable(f"price {price_id!r} is not a configured STRIPE_PRICE_* id")


@dataclass(slots=True)
class SubscriptionState:
    """The `Subscription` row as the webhook handles it: its columns (checked against the
    table below), read under a row lock with one Core statement.

    Handlers change these fields and `save` writes back what changed. Not the ORM object:
    the unit of work dominated the cost of a webhook (docs/PERFORMANCE.md).
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
    stripe_status_at: dt.datetime | None
    grace_period_ends_at: dt.datetime | None
    loaded: dict[str, Any] = field(default_factory=dict)

    def changes(self) -> dict[str, Any]:
        return {
            name: getattr(self, name)
            for name in _STATE_COLUMNS
            if getattr(self, name) != self.loaded.get(name)
        }


_SUBSCRIPTIONS: Table = Subscription.__table__  # type: ignore[assignment]
# Derived from the table: every column but the row's own bookkeeping. The dataclass names
# the same columns so handlers are type-checked; a column added to one and not the other
# fails here, at import, rather than being silently dropped by the webhook.
_STATE_COLUMNS = tuple(
    column.name
    for column in _SUBSCRIPTIONS.c
    if column.name not in ("id", "created_at", "updated_at")
)
if set(_STATE_COLUMNS) != set(SubscriptionState.__dataclass_fields__) - {"id", "loaded"}:
    raise RuntimeError("SubscriptionState must name every billing column of `subscription`")


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


_USER_EXISTS = select(User.id).where(User.id == bindparam("p_user_id"))
_CUSTOMER_DELETED = select(DeletedStripeCustomer.customer_id_sha256).where(
    DeletedStripeCustomer.customer_id_sha256 == bindparam("p_hash")
)


def customer_id_hash(customer_id: str) -> str:
    return hashlib.sha256(customer_id.encode("utf-8")).hexdigest()


async def find_subscription_row(
    connection: AsyncConnection,
    *,
    subscription_id: str | None = None,
    customer_id: str | None = None,
    user_id: int | None = None,
) -> SubscriptionState:
    """The row the event is about, locked until commit so events for one user serialise.

    Raises EventRefused when the event names another person's billing account,
    EventOrphaned when it is about a deleted account, EventNotApplicable (retried) when
    it matches nobody yet.
    """
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
        _check_same_account(row, customer_id=customer_id, user_id=user_id)
        return row
    if await _is_deleted_account(connection, customer_id=customer_id, user_id=user_id):
        # No ids in the reason: it is stored, and the account's traces are to be gone.
        raise EventOrphaned("the account this event concerns was deleted")
    raise EventNotApplicable(
        f"no user found for subscription={subscription_id} customer={customer_id} user={user_id}"
    )


def _check_same_account(
    row: SubscriptionState, *, customer_id: str | None, user_id: int | None
) -> None:
    """Refuse an event that would hand one person's payment to another.

    We create one customer per user and put that user's id in every checkout's
    metadata, so an event's customer and user id always agree with the row they lead
    to; when they do not, the event belongs elsewhere (or was crafted) and must not
    change this row. Metadata alone links a row only while the row has no customer.
    """
    if row.stripe_customer_id is not None and customer_id != row.stripe_customer_id:
        raise EventRefused(
            f"customer {customer_id} does not match the customer stored for user {row.user_id}"
        )
    if user_id is not None and user_id != row.user_id:
        raise EventRefused(
            f"metadata names user {user_id} but the billing account belongs to user {row.user_id}"
        )


async def _is_deleted_account(
    connection: AsyncConnection, *, customer_id: str | None, user_id: int | None
) -> bool:
    # Ids are never reused, so a user id from our own metadata that no longer exists
    # belonged to a deleted account; a deleted account's customer is remembered by hash.
    if user_id is not None:
        if await connection.scalar(_USER_EXISTS, {"p_user_id": user_id}) is None:
            return True
    if customer_id is not None:
        hashed = customer_id_hash(customer_id)
        return await connection.scalar(_CUSTOMER_DELETED, {"p_hash": hashed}) is not None
    return False


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


# How far along its life a subscription is: SubscriptionStatus lists the statuses in
# that order. Of two events of the same second, the one whose status is further along
# wins, whatever order they arrived in: Stripe moves a subscription forward along this
# list within a second (incomplete -> active when the first invoice is paid, active ->
# past_due when a renewal fails), never back.
STATUS_STAGE: dict[str, int] = {status: stage for stage, status in enumerate(SubscriptionStatus)}


def stage_of(status: str) -> int:
    try:
        return STATUS_STAGE[status]
    except KeyError:
        # Stored and retried: a status we do not know must not be guessed into access.
        raise EventNotApplicable(f"unknown subscription status {status!r}") from None


def is_newer(
    event_at: dt.datetime, stored_at: dt.datetime | None, status: str, stored_status: str
) -> bool:
    """Whether state of `event_at` with `status` replaces state stored at `stored_at`."""
    if stored_at is None or event_at > stored_at:
        return True
    return event_at == stored_at and stage_of(status) > stage_of(stored_status)


def apply_snapshot(
    row: SubscriptionState,
    snapshot: SubscriptionSnapshot,
    event_at: dt.datetime,
    event_type: str,
    settings: Settings,
) -> str | None:
    """Write the snapshot to the row; returns why it was skipped, or None when applied."""
    stage_of(snapshot.status)  # an unknown status fails here, before anything is changed
    if row.stripe_subscription_id == snapshot.subscription_id:
        if row.status in TERMINAL_STATUSES and snapshot.status not in TERMINAL_STATUSES:
            # Canceled is final in Stripe: a late "updated" must not resurrect access.
            return "subscription_already_ended"
        fields_newer = _snapshot_is_newer(row, snapshot, event_at, event_type)
        status_newer = is_newer(event_at, row.stripe_status_at, snapshot.status, row.status)
    else:
        # Another subscription object: its times say nothing about this one's, so whether
        # it is alive decides (a live subscription always beats one that ended).
        skipped = _replaces_other_subscription(row, snapshot, event_at)
        if skipped:
            return skipped
        fields_newer = status_newer = True
    if not (fields_newer or status_newer):
        return "stale"
    if fields_newer:
        if snapshot.status in TERMINAL_STATUSES and snapshot.price_id not in (
            settings.stripe_price_pro_monthly,
            settings.stripe_price_pro_yearly,
        ):
            row.plan = Plan.FREE
        else:
            row.plan = plan_for_price(settings, snapshot.price_id)
        row.stripe_subscription_id = snapshot.subscription_id
        if snapshot.customer_id and row.stripe_customer_id is None:
            row.stripe_customer_id = snapshot.customer_id
        row.stripe_price_id = snapshot.price_id
        row.current_period_end = snapshot.current_period_end
        row.cancel_at_period_end = snapshot.cancel_at_period_end
        row.stripe_state_at = event_at
    if status_newer:
        set_status(row, snapshot.status, event_at, settings)
    return None


# Within one second a subscription is created before it is updated, and updated before
# it is deleted.
_EVENT_STAGE = {
    "customer.subscription.created": 0,
    "customer.subscription.updated": 1,
    "customer.subscription.deleted": 2,
}


def _snapshot_is_newer(
    row: SubscriptionState, snapshot: SubscriptionSnapshot, event_at: dt.datetime, event_type: str
) -> bool:
    if is_newer(event_at, row.stripe_state_at, snapshot.status, row.status):
        return True
    # The same second and the same stage: an update or deletion comes after a creation.
    return (
        event_at == row.stripe_state_at
        and stage_of(snapshot.status) == stage_of(row.status)
        and _EVENT_STAGE.get(event_type, 1) > 0
    )


def _replaces_other_subscription(
    row: SubscriptionState, snapshot: SubscriptionSnapshot, event_at: dt.datetime
) -> str | None:
    """Why a snapshot of a subscription other than the row's must not replace it, if so."""
    if row.stripe_subscription_id is None:
        return None
    ending = snapshot.status in TERMINAL_STATUSES
    if ending and has_live_paid_subscription(row.plan, row.status):
        return "other_subscription_is_live"
    if ending and row.status in TERMINAL_STATUSES:
        return "other_subscription_already_ended"
    if row.status not in TERMINAL_STATUSES and not is_newer(
        event_at, row.stripe_state_at, snapshot.status, row.status
    ):
        # Two live subscriptions (two checkouts paid): the newer one is the one we show.
        return "stale"
    return None


def set_status(
    row: SubscriptionState, status: str, event_at: dt.datetime, settings: Settings
) -> None:
    """Set the Stripe status; entering past_due starts the grace period once."""
    if status == SubscriptionStatus.PAST_DUE:
        if row.status != SubscriptionStatus.PAST_DUE or row.grace_period_ends_at is None:
            row.grace_period_ends_at = event_at + dt.timedelta(days=settings.past_due_grace_days)
    else:
        row.grace_period_ends_at = None
    row.status = status
    row.stripe_status_at = event_at
