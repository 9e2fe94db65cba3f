"""Events in any order, or in the same second, leave a subscription as Stripe holds it.

Each test delivers one realistic set of Stripe events in every order they could arrive
in and checks the end state is the same for all of them: a payer never ends on Free,
and nobody gains Pro from an event that is not theirs.
"""

from __future__ import annotations

import itertools
import time
from typing import Any

import httpx
import pytest
import stripe
from fastapi import FastAPI
from sqlalchemy import update

from helpers.api import bearer, signed_in_user
from helpers.stripe_fakes import (
    PRICE_YEARLY,
    checkout_session_object,
    invoice_object,
    post_event,
    stripe_event,
    subscription_object,
    subscription_row,
)
from insight_atlas.billing.models import Subscription


async def me(client: httpx.AsyncClient, tokens: dict[str, Any]) -> dict[str, Any]:
    response = await client.get("/v1/me", headers=bearer(tokens["access_token"]))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _subscription(user_id: int, status: str, created: int, **fields: Any) -> stripe.Event:
    return stripe_event(
        fields.pop("event_type", "customer.subscription.updated"),
        subscription_object(
            subscription_id=f"sub_{user_id}",
            customer_id=f"cus_{user_id}",
            user_id=user_id,
            status=status,
            **fields,
        ),
        created=created,
    )


def _invoice(user_id: int, event_type: str, created: int) -> stripe.Event:
    return stripe_event(
        event_type,
        invoice_object(
            subscription_id=f"sub_{user_id}",
            customer_id=f"cus_{user_id}",
            paid=event_type == "invoice.paid",
        ),
        created=created,
    )


def _checkout(user_id: int, created: int) -> stripe.Event:
    return stripe_event(
        "checkout.session.completed",
        checkout_session_object(
            user_id=user_id, customer_id=f"cus_{user_id}", subscription_id=f"sub_{user_id}"
        ),
        created=created,
    )


async def _start_checkout(app: FastAPI, user_id: int) -> None:
    """What starting a checkout stores before Stripe sends anything: the customer."""
    async with app.state.database.sessionmaker.begin() as session:
        await session.execute(
            update(Subscription)
            .where(Subscription.user_id == user_id)
            .values(stripe_customer_id=f"cus_{user_id}")
        )


async def _deliver_all(client: httpx.AsyncClient, events: list[stripe.Event]) -> None:
    for event in events:
        response = await post_event(client, event)
        assert response.status_code == 200, response.text
        assert response.json()["status"] == "handled", response.text


async def test_invoice_paid_before_the_subscription_events_still_ends_on_pro(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    # The case: the checkout links the subscription, the paid invoice comes next
    # and later than the subscription's own creation; the creation must still apply.
    profile, tokens = await signed_in_user(client)
    user_id, now = profile["id"], int(time.time())
    await _deliver_all(
        client,
        [
            _checkout(user_id, now - 1),
            _invoice(user_id, "invoice.paid", now),
            _subscription(user_id, "active", now - 2, event_type="customer.subscription.created"),
        ],
    )
    body = await me(client, tokens)
    assert (body["plan"], body["status"]) == ("pro_monthly", "active")
    row = await subscription_row(app, user_id)
    assert row["stripe_price_id"] is not None and row["current_period_end"] is not None


# What Stripe sends for one paid checkout (created incomplete, then the first invoice is
# paid and the subscription turns active), many of them in the same second.
def _paid_checkout_events(user_id: int, now: int) -> list[stripe.Event]:
    return [
        _subscription(user_id, "incomplete", now, event_type="customer.subscription.created"),
        _invoice(user_id, "invoice.paid", now),
        _subscription(user_id, "active", now),
        _checkout(user_id, now),
    ]


@pytest.mark.parametrize("order", list(itertools.permutations(range(4))))
async def test_a_paid_checkout_in_any_arrival_order_ends_pro_and_active(
    client: httpx.AsyncClient, app: FastAPI, order: tuple[int, ...]
) -> None:
    profile, tokens = await signed_in_user(client)
    await _start_checkout(app, profile["id"])
    events = _paid_checkout_events(profile["id"], int(time.time()))
    await _deliver_all(client, [events[index] for index in order])
    body = await me(client, tokens)
    assert (body["plan"], body["status"]) == ("pro_monthly", "active"), order


async def test_updated_active_then_created_incomplete_in_the_same_second_stays_active(
    client: httpx.AsyncClient,
) -> None:
    profile, tokens = await signed_in_user(client)
    user_id, now = profile["id"], int(time.time())
    await _deliver_all(
        client,
        [
            _subscription(user_id, "active", now),
            _subscription(user_id, "incomplete", now, event_type="customer.subscription.created"),
        ],
    )
    body = await me(client, tokens)
    assert (body["plan"], body["status"]) == ("pro_monthly", "active")


async def test_a_cancellation_of_the_same_second_wins_in_either_order(
    client: httpx.AsyncClient,
) -> None:
    for reverse in (False, True):
        profile, tokens = await signed_in_user(client)
        user_id, now = profile["id"], int(time.time())
        events = [
            _subscription(user_id, "active", now),
            _subscription(user_id, "canceled", now, event_type="customer.subscription.deleted"),
        ]
        await _deliver_all(client, events[::-1] if reverse else events)
        body = await me(client, tokens)
        assert (body["plan"], body["status"]) == ("free", "canceled"), reverse


async def test_an_older_subscription_event_after_a_paid_invoice_keeps_the_newer_status(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    # A renewal failed and was then paid; the past_due update arrives last.
    profile, tokens = await signed_in_user(client)
    user_id, now = profile["id"], int(time.time())
    await _deliver_all(
        client,
        [
            _subscription(user_id, "active", now - 100, event_type="customer.subscription.created"),
            _invoice(user_id, "invoice.paid", now),
            _subscription(user_id, "past_due", now - 50, price_id=PRICE_YEARLY),
        ],
    )
    body = await me(client, tokens)
    # The older event still brings its own fields (the yearly price) but not its status.
    assert (body["plan"], body["status"]) == ("pro_yearly", "active")
    assert body["payment_past_due"] is False
    row = await subscription_row(app, user_id)
    assert row["grace_period_ends_at"] is None


async def test_an_older_failed_payment_after_a_newer_paid_one_changes_nothing(
    client: httpx.AsyncClient,
) -> None:
    profile, tokens = await signed_in_user(client)
    user_id, now = profile["id"], int(time.time())
    await _deliver_all(
        client,
        [
            _subscription(user_id, "active", now - 100, event_type="customer.subscription.created"),
            _invoice(user_id, "invoice.paid", now),
            _invoice(user_id, "invoice.payment_failed", now - 10),
        ],
    )
    body = await me(client, tokens)
    assert (body["plan"], body["status"]) == ("pro_monthly", "active")


async def test_resubscribing_in_the_second_of_a_cancellation_is_pro(
    client: httpx.AsyncClient,
) -> None:
    profile, tokens = await signed_in_user(client)
    user_id, now = profile["id"], int(time.time())
    await _deliver_all(
        client,
        [
            _subscription(user_id, "active", now - 100, event_type="customer.subscription.created"),
            _subscription(user_id, "canceled", now, event_type="customer.subscription.deleted"),
        ],
    )
    fresh = stripe_event(
        "customer.subscription.created",
        subscription_object(
            subscription_id=f"sub_{user_id}_again",
            customer_id=f"cus_{user_id}",
            user_id=user_id,
            price_id=PRICE_YEARLY,
        ),
        created=now,
    )
    await _deliver_all(client, [fresh])
    body = await me(client, tokens)
    assert (body["plan"], body["status"]) == ("pro_yearly", "active")
