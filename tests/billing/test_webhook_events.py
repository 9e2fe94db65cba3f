"""Webhook events change subscriptions once, in the right order, and survive failures."""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import update

from helpers.api import assert_error, bearer, register, signed_in_user
from helpers.stripe_fakes import (
    PRICE_YEARLY,
    checkout_session_object,
    invoice_object,
    post_event,
    stripe_event,
    stripe_event_rows,
    subscription_object,
    subscription_row,
)
from insight_atlas.billing import stripe_webhook
from insight_atlas.billing.models import Subscription

PRO_ONLY = "instrument:ipip-neo-120"


def count_calls(monkeypatch: pytest.MonkeyPatch, event_type: str) -> list[str]:
    """Wraps the real handler; each call that got through is one applied effect."""
    calls: list[str] = []
    real = stripe_webhook.HANDLERS[event_type]

    async def counting(session: Any, settings: Any, event: dict[str, Any]) -> None:
        calls.append(event["id"])
        await real(session, settings, event)

    monkeypatch.setitem(stripe_webhook.HANDLERS, event_type, counting)
    return calls


async def me(client: httpx.AsyncClient, tokens: dict[str, Any]) -> dict[str, Any]:
    response = await client.get("/v1/me", headers=bearer(tokens["access_token"]))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def subscribe(
    client: httpx.AsyncClient, user_id: int, *, created: int | None = None, **fields: Any
) -> str:
    sub_id = f"sub_{user_id}_x"
    event = stripe_event(
        "customer.subscription.created",
        subscription_object(
            subscription_id=sub_id, customer_id=f"cus_{user_id}_x", user_id=user_id, **fields
        ),
        created=created,
    )
    response = await post_event(client, event)
    assert response.json()["status"] == "handled", response.text
    return sub_id


async def test_subscription_created_makes_the_user_pro_and_records_the_event(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    profile, tokens = await signed_in_user(client)
    period_end = int(time.time()) + 30 * 86_400
    event = stripe_event(
        "customer.subscription.created",
        subscription_object(
            subscription_id="sub_new",
            customer_id="cus_new",
            user_id=profile["id"],
            period_end=period_end,
        ),
    )
    response = await post_event(client, event)
    assert response.status_code == 200
    assert response.json() == {"status": "handled", "event_id": event["id"]}

    body = await me(client, tokens)
    assert (body["plan"], body["status"]) == ("pro_monthly", "active")
    assert PRO_ONLY in body["entitlements"]
    assert body["payment_past_due"] is False and body["billing_banner"] is None
    row = await subscription_row(app, profile["id"])
    assert row["stripe_subscription_id"] == "sub_new"
    assert row["stripe_customer_id"] == "cus_new"
    period_end_read = dt.datetime.fromisoformat(body["subscription"]["current_period_end"])
    assert int(period_end_read.timestamp()) == period_end
    [stored] = await stripe_event_rows(app)
    assert stored["stripe_event_id"] == event["id"]
    assert stored["type"] == "customer.subscription.created"
    assert stored["handled_at"] is not None and stored["attempts"] == 1
    assert stored["last_error"] is None
    assert stored["last_request_id"] == response.headers["x-request-id"]


async def test_a_duplicate_delivery_has_its_effect_once(
    client: httpx.AsyncClient, app: FastAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = count_calls(monkeypatch, "customer.subscription.created")
    profile = await register(client)
    event = stripe_event(
        "customer.subscription.created",
        subscription_object(subscription_id="sub_d", customer_id="cus_d", user_id=profile["id"]),
    )
    first = await post_event(client, event)
    second = await post_event(client, event)
    assert first.json()["status"] == "handled"
    assert second.status_code == 200 and second.json()["status"] == "duplicate"
    assert calls == [event["id"]]
    [stored] = await stripe_event_rows(app)
    assert stored["attempts"] == 1


async def test_twenty_concurrent_deliveries_of_one_event_apply_once(
    client: httpx.AsyncClient, app: FastAPI, monkeypatch: pytest.MonkeyPatch, backend: str
) -> None:
    calls = count_calls(monkeypatch, "customer.subscription.created")
    profile = await register(client)
    event = stripe_event(
        "customer.subscription.created",
        subscription_object(subscription_id="sub_c", customer_id="cus_c", user_id=profile["id"]),
    )
    responses = await asyncio.wait_for(
        asyncio.gather(*(post_event(client, event) for _ in range(20))), timeout=60
    )
    statuses = sorted(response.json()["status"] for response in responses)
    assert all(response.status_code == 200 for response in responses)
    assert statuses == ["duplicate"] * 19 + ["handled"]
    assert calls == [event["id"]]  # the handler ran exactly once
    [stored] = await stripe_event_rows(app)
    assert stored["attempts"] == 1 and stored["handled_at"] is not None


async def test_updated_before_checkout_completed_lands_on_the_right_user(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    _other, other_tokens = await signed_in_user(client)
    profile, tokens = await signed_in_user(client)
    now = int(time.time())
    updated = stripe_event(
        "customer.subscription.updated",
        subscription_object(subscription_id="sub_o", customer_id="cus_o", user_id=profile["id"]),
        created=now,
    )
    checkout = stripe_event(
        "checkout.session.completed",
        checkout_session_object(
            user_id=profile["id"], customer_id="cus_o", subscription_id="sub_o"
        ),
        created=now - 5,
    )
    assert (await post_event(client, updated)).json()["status"] == "handled"
    assert (await post_event(client, checkout)).json()["status"] == "handled"
    assert (await me(client, tokens))["plan"] == "pro_monthly"
    assert (await me(client, other_tokens))["plan"] == "free"
    row = await subscription_row(app, profile["id"])
    assert (row["stripe_customer_id"], row["stripe_subscription_id"]) == ("cus_o", "sub_o")


async def test_an_event_for_an_unknown_customer_fails_until_checkout_links_it(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    profile, tokens = await signed_in_user(client)
    # No metadata: the subscription can only be matched through the stored customer id.
    updated = stripe_event(
        "customer.subscription.updated",
        subscription_object(subscription_id="sub_u", customer_id="cus_u"),
    )
    failed = await post_event(client, updated)
    assert_error(failed, 500, "webhook_handler_failed")
    [stored] = await stripe_event_rows(app)
    assert stored["handled_at"] is None and "no user found" in stored["last_error"]

    checkout = stripe_event(
        "checkout.session.completed",
        checkout_session_object(
            user_id=profile["id"], customer_id="cus_u", subscription_id="sub_u"
        ),
    )
    assert (await post_event(client, checkout)).json()["status"] == "handled"
    retried = await post_event(client, updated)  # Stripe's redelivery of the same event
    assert retried.json()["status"] == "handled"
    assert (await me(client, tokens))["plan"] == "pro_monthly"
    stored = next(
        row for row in await stripe_event_rows(app) if row["stripe_event_id"] == updated["id"]
    )
    assert stored["attempts"] == 2 and stored["last_error"] is None


async def test_an_old_update_after_deletion_does_not_resurrect_access(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    profile, tokens = await signed_in_user(client)
    now = int(time.time())
    sub_id = await subscribe(client, profile["id"], created=now - 100)
    deleted = stripe_event(
        "customer.subscription.deleted",
        subscription_object(
            subscription_id=sub_id,
            customer_id=f"cus_{profile['id']}_x",
            status="canceled",
            user_id=profile["id"],
        ),
        created=now - 10,
    )
    late_update = stripe_event(
        "customer.subscription.updated",
        subscription_object(
            subscription_id=sub_id, customer_id=f"cus_{profile['id']}_x", user_id=profile["id"]
        ),
        created=now - 50,
    )
    assert (await post_event(client, deleted)).json()["status"] == "handled"
    assert (await post_event(client, late_update)).json()["status"] == "handled"
    body = await me(client, tokens)
    assert (body["plan"], body["status"]) == ("free", "canceled")
    assert PRO_ONLY not in body["entitlements"]

    # Even with a newer timestamp, a canceled subscription stays canceled.
    newer = stripe_event(
        "customer.subscription.updated",
        subscription_object(
            subscription_id=sub_id, customer_id=f"cus_{profile['id']}_x", user_id=profile["id"]
        ),
        created=now,
    )
    await post_event(client, newer)
    assert (await me(client, tokens))["plan"] == "free"

    # A new subscription after the cancellation is honoured.
    fresh = stripe_event(
        "customer.subscription.created",
        subscription_object(
            subscription_id="sub_second",
            customer_id=f"cus_{profile['id']}_x",
            user_id=profile["id"],
            price_id=PRICE_YEARLY,
        ),
        created=now + 1,
    )
    await post_event(client, fresh)
    assert (await me(client, tokens))["plan"] == "pro_yearly"


async def test_plan_follows_the_price_and_unknown_prices_fail_loudly(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    profile, tokens = await signed_in_user(client)
    sub_id = await subscribe(client, profile["id"], created=int(time.time()) - 10)
    yearly = stripe_event(
        "customer.subscription.updated",
        subscription_object(
            subscription_id=sub_id,
            customer_id=f"cus_{profile['id']}_x",
            price_id=PRICE_YEARLY,
            cancel_at_period_end=True,
        ),
    )
    assert (await post_event(client, yearly)).json()["status"] == "handled"
    body = await me(client, tokens)
    assert body["plan"] == "pro_yearly" and body["subscription"]["cancel_at_period_end"] is True

    unknown = stripe_event(
        "customer.subscription.updated",
        subscription_object(
            subscription_id=sub_id, customer_id=f"cus_{profile['id']}_x", price_id="price_other"
        ),
    )
    assert_error(await post_event(client, unknown), 500, "webhook_handler_failed")
    assert (await me(client, tokens))["plan"] == "pro_yearly"


async def test_handler_failure_is_stored_rolled_back_and_retried(
    client: httpx.AsyncClient,
    app: FastAPI,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    profile, tokens = await signed_in_user(client)
    real = stripe_webhook.HANDLERS["customer.subscription.created"]
    failures = [RuntimeError("database went away mid-handler")]

    async def flaky(session: Any, settings: Any, event: dict[str, Any]) -> None:
        await real(session, settings, event)  # its writes must be undone by the failure
        if failures:
            raise failures.pop()

    monkeypatch.setitem(stripe_webhook.HANDLERS, "customer.subscription.created", flaky)
    event = stripe_event(
        "customer.subscription.created",
        subscription_object(subscription_id="sub_f", customer_id="cus_f", user_id=profile["id"]),
    )
    capsys.readouterr()
    failed = await post_event(client, event)
    assert_error(failed, 500, "webhook_handler_failed")
    assert "database went away" not in failed.text  # no internals leak to the caller
    [stored] = await stripe_event_rows(app)
    assert stored["handled_at"] is None and stored["attempts"] == 1
    assert "RuntimeError: database went away mid-handler" in stored["last_error"]
    assert (await me(client, tokens))["plan"] == "free"
    row = await subscription_row(app, profile["id"])
    assert row["stripe_subscription_id"] is None
    failure_lines = [
        line for line in capsys.readouterr().out.splitlines() if "stripe_event_failed" in line
    ]
    assert failure_lines and event["id"] in failure_lines[0]
    assert failed.headers["x-request-id"] in failure_lines[0]

    retried = await post_event(client, event)
    assert retried.status_code == 200 and retried.json()["status"] == "handled"
    [stored] = await stripe_event_rows(app)
    assert stored["handled_at"] is not None and stored["attempts"] == 2
    assert stored["last_error"] is None
    assert (await me(client, tokens))["plan"] == "pro_monthly"


async def test_failed_payment_keeps_pro_in_grace_then_payment_restores_active(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    profile, tokens = await signed_in_user(client)
    now = int(time.time())
    sub_id = await subscribe(client, profile["id"], created=now - 60)
    customer = f"cus_{profile['id']}_x"
    failed = stripe_event(
        "invoice.payment_failed",
        invoice_object(subscription_id=sub_id, customer_id=customer, paid=False),
        created=now - 30,
    )
    assert (await post_event(client, failed)).json()["status"] == "handled"
    body = await me(client, tokens)
    assert (body["plan"], body["status"]) == ("pro_monthly", "past_due")
    assert body["payment_past_due"] is True and "payment failed" in body["billing_banner"]
    assert PRO_ONLY in body["entitlements"]
    grace_end = dt.datetime.fromisoformat(body["subscription"]["grace_period_ends_at"])
    expected = dt.datetime.fromtimestamp(now - 30, dt.UTC) + dt.timedelta(days=7)
    assert abs((grace_end - expected).total_seconds()) < 1

    paid = stripe_event(
        "invoice.paid",
        invoice_object(subscription_id=sub_id, customer_id=customer, paid=True),
        created=now,
    )
    assert (await post_event(client, paid)).json()["status"] == "handled"
    body = await me(client, tokens)
    assert (body["plan"], body["status"]) == ("pro_monthly", "active")
    assert body["payment_past_due"] is False and body["billing_banner"] is None


async def test_past_due_after_the_grace_period_falls_back_to_free(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    profile, tokens = await signed_in_user(client)
    sub_id = await subscribe(client, profile["id"], created=int(time.time()) - 60)
    past_due = stripe_event(
        "customer.subscription.updated",
        subscription_object(
            subscription_id=sub_id, customer_id=f"cus_{profile['id']}_x", status="past_due"
        ),
    )
    assert (await post_event(client, past_due)).json()["status"] == "handled"
    assert (await me(client, tokens))["plan"] == "pro_monthly"
    # Eight days later, as far as the grace period is concerned.
    async with app.state.database.sessionmaker.begin() as session:
        await session.execute(
            update(Subscription)
            .where(Subscription.user_id == profile["id"])
            .values(grace_period_ends_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=1))
        )
    body = await me(client, tokens)
    assert (body["plan"], body["status"]) == ("free", "past_due")
    assert PRO_ONLY not in body["entitlements"]
    assert body["payment_past_due"] is True and "paused" in body["billing_banner"]
