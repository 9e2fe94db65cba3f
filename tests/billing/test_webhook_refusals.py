"""Events that can never apply are acknowledged and recorded, never retried for days.

Orphaned: about an account that was deleted. Refused: naming another person's billing
account. Malformed: a signed body whose fields are out of range (400, nothing stored).
"""

from __future__ import annotations

import json
import time
from typing import Any

import httpx
import pytest
import stripe
from fastapi import FastAPI

from helpers.api import TEST_PASSWORD, assert_error, bearer, signed_in_user
from helpers.stripe_fakes import (
    event_payload,
    invoice_object,
    post_event,
    signature_header,
    stripe_event,
    stripe_event_rows,
    subscription_object,
    subscription_row,
)


async def _subscribed_user(client: httpx.AsyncClient) -> tuple[dict[str, Any], dict[str, Any]]:
    profile, tokens = await signed_in_user(client)
    event = stripe_event(
        "customer.subscription.created",
        subscription_object(
            subscription_id=f"sub_{profile['id']}",
            customer_id=f"cus_{profile['id']}",
            user_id=profile["id"],
        ),
        created=int(time.time()) - 60,
    )
    assert (await post_event(client, event)).json()["status"] == "handled"
    return profile, tokens


async def _delete_account(client: httpx.AsyncClient, tokens: dict[str, Any]) -> None:
    response = await client.request(
        "DELETE", "/v1/me", json={"password": TEST_PASSWORD}, headers=bearer(tokens["access_token"])
    )
    assert response.status_code == 204, response.text


async def _stored(app: FastAPI, event: stripe.Event) -> dict[str, Any]:
    rows = await stripe_event_rows(app)
    return next(row for row in rows if row["stripe_event_id"] == event["id"])


def _counted(metrics: str, event_type: str, outcome: str) -> float:
    prefix = f'atlas_stripe_webhook_events_total{{event_type="{event_type}",outcome="{outcome}"}} '
    lines = [line for line in metrics.splitlines() if line.startswith(prefix)]
    return float(lines[0].removeprefix(prefix)) if lines else 0.0


async def test_events_for_a_deleted_account_are_acknowledged_as_orphaned_and_counted(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    profile, tokens = await _subscribed_user(client)
    user_id = profile["id"]
    customer, subscription = f"cus_{user_id}", f"sub_{user_id}"
    await _delete_account(client, tokens)
    before = _counted(
        (await client.get("/metrics")).text, "customer.subscription.deleted", "orphaned"
    )

    # The cancellation Stripe confirms after the deletion, as real Stripe sends it.
    deleted = stripe_event(
        "customer.subscription.deleted",
        subscription_object(
            subscription_id=subscription, customer_id=customer, status="canceled", user_id=user_id
        ),
    )
    deleted["data"]["object"]["customer_email"] = profile["email"]
    # A last invoice names only the customer: the hash of it is what recognises it.
    invoice = stripe_event(
        "invoice.payment_failed",
        invoice_object(subscription_id=subscription, customer_id=customer, paid=False),
    )
    invoice["data"]["object"]["customer_email"] = profile["email"]
    invoice["data"]["object"]["customer_name"] = "Ada Lovelace"
    for event in (deleted, invoice):
        for _ in range(2):  # Stripe's redelivery is a duplicate, not a second failure
            response = await post_event(client, event)
            assert response.status_code == 200, response.text
        stored = await _stored(app, event)
        assert stored["outcome"] == "orphaned" and stored["handled_at"] is not None
        assert stored["attempts"] == 1
        # Only what idempotency needs stays: no customer, subscription, user or e-mail.
        assert json.loads(stored["payload"]) == {
            "id": event["id"],
            "type": event["type"],
            "created": event["created"],
            "redacted": True,
        }
        for trace in (customer, subscription, profile["email"], "Ada Lovelace"):
            assert trace not in json.dumps(stored, default=str)
    assert response.json() == {"status": "duplicate", "event_id": invoice["id"]}
    after = _counted(
        (await client.get("/metrics")).text, "customer.subscription.deleted", "orphaned"
    )
    assert after == before + 1


async def test_an_event_naming_a_deleted_user_in_metadata_is_orphaned(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    # Never subscribed, so no customer was remembered: the user id alone tells.
    profile, tokens = await signed_in_user(client)
    await _delete_account(client, tokens)
    event = stripe_event(
        "customer.subscription.updated",
        subscription_object(
            subscription_id="sub_gone", customer_id="cus_gone", user_id=profile["id"]
        ),
    )
    response = await post_event(client, event)
    assert response.json() == {"status": "orphaned", "event_id": event["id"]}


async def test_an_event_for_a_customer_nobody_knows_yet_stays_retryable(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    event = stripe_event(
        "customer.subscription.updated",
        subscription_object(subscription_id="sub_new", customer_id="cus_new"),
    )
    assert_error(await post_event(client, event), 500, "webhook_handler_failed")
    stored = await _stored(app, event)
    assert stored["outcome"] == "failed" and stored["handled_at"] is None


@pytest.mark.parametrize("case", ["no_customer", "other_customer", "other_user"])
async def test_an_event_that_names_another_billing_account_is_refused_and_recorded(
    client: httpx.AsyncClient, app: FastAPI, case: str
) -> None:
    victim, _victim_tokens = await _subscribed_user(client)
    other, _ = await signed_in_user(client)
    before = await subscription_row(app, victim["id"])
    fields: dict[str, Any] = {
        "subscription_id": "sub_attacker",
        "customer_id": "cus_attacker",
        "user_id": victim["id"],
        "price_id": "price_sandbox_pro_yearly",
    }
    if case == "other_user":
        # The victim's own customer, but metadata pointing at someone else.
        fields |= {"customer_id": f"cus_{victim['id']}", "user_id": other["id"]}
    subscription = subscription_object(**fields)
    if case == "no_customer":
        del subscription["customer"]
    event = stripe_event("customer.subscription.updated", subscription)

    response = await post_event(client, event)
    assert response.json() == {"status": "refused", "event_id": event["id"]}
    stored = await _stored(app, event)
    assert stored["outcome"] == "refused" and stored["handled_at"] is not None
    assert stored["last_error"] and "EventRefused" not in stored["last_error"]
    assert await subscription_row(app, victim["id"]) == before
    other_row = await subscription_row(app, other["id"])
    assert (other_row["plan"], other_row["stripe_customer_id"]) == ("free", None)
    assert (await post_event(client, event)).json()["status"] == "duplicate"


async def test_metadata_links_a_subscription_to_a_user_without_a_customer(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    profile, _tokens = await signed_in_user(client)
    event = stripe_event(
        "customer.subscription.created",
        subscription_object(subscription_id="sub_m", customer_id="cus_m", user_id=profile["id"]),
    )
    assert (await post_event(client, event)).json()["status"] == "handled"
    row = await subscription_row(app, profile["id"])
    assert (row["plan"], row["stripe_customer_id"]) == ("pro_monthly", "cus_m")


def _signed_post_body(event: dict[str, Any]) -> tuple[bytes, dict[str, str]]:
    payload = json.dumps(event).encode()
    return payload, {
        "Content-Type": "application/json",
        "Stripe-Signature": signature_header(payload),
    }


@pytest.mark.parametrize(
    "created",
    [10**14, -(10**14), True, False, 0, "1700000000", 1.5e9, None, "far", 2**70],
)
async def test_an_event_time_out_of_range_is_400_and_stores_nothing(
    client: httpx.AsyncClient, app: FastAPI, created: Any
) -> None:
    event = stripe_event(
        "customer.subscription.updated",
        subscription_object(subscription_id="sub_t", customer_id="cus_t"),
    ).to_dict()
    event["created"] = created
    payload, headers = _signed_post_body(event)
    response = await client.post("/v1/stripe/webhook", content=payload, headers=headers)
    assert_error(response, 400, "invalid_payload")
    assert await stripe_event_rows(app) == []


async def test_an_event_stamped_in_the_future_is_400(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    # It would outrank every real event of its subscription until that time came.
    event = stripe_event(
        "customer.subscription.updated",
        subscription_object(subscription_id="sub_f", customer_id="cus_f"),
        created=int(time.time()) + 3600,
    )
    assert_error(await post_event(client, event), 400, "invalid_payload")
    assert await stripe_event_rows(app) == []


@pytest.mark.parametrize("ahead", [3600, 10**6])
async def test_a_signature_from_the_future_is_refused(
    client: httpx.AsyncClient, app: FastAPI, ahead: int
) -> None:
    event = stripe_event(
        "customer.subscription.updated",
        subscription_object(subscription_id="sub_s", customer_id="cus_s"),
    )
    response = await post_event(client, event, timestamp=int(time.time()) + ahead)
    assert_error(response, 400, "invalid_signature")
    assert await stripe_event_rows(app) == []


async def test_a_signature_a_few_seconds_ahead_is_clock_skew_and_accepted(
    client: httpx.AsyncClient,
) -> None:
    profile, _ = await signed_in_user(client)
    event = stripe_event(
        "customer.subscription.created",
        subscription_object(subscription_id="sub_k", customer_id="cus_k", user_id=profile["id"]),
    )
    response = await post_event(client, event, timestamp=int(time.time()) + 20)
    assert response.json()["status"] == "handled", response.text


@pytest.mark.parametrize("field", ["id", "type"])
async def test_an_event_id_or_type_longer_than_stored_is_400(
    client: httpx.AsyncClient, app: FastAPI, field: str
) -> None:
    event = stripe_event(
        "customer.subscription.updated",
        subscription_object(subscription_id="sub_l", customer_id="cus_l"),
    ).to_dict()
    event[field] = "customer.subscription.updated" + "x" * 300 if field == "type" else "e" * 256
    payload, headers = _signed_post_body(event)
    response = await client.post("/v1/stripe/webhook", content=payload, headers=headers)
    assert_error(response, 400, "invalid_payload")
    assert await stripe_event_rows(app) == []


async def test_times_and_user_ids_out_of_range_inside_the_object_do_not_crash(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    profile, _tokens = await signed_in_user(client)
    subscription = subscription_object(
        subscription_id="sub_r", customer_id="cus_r", user_id=profile["id"], period_end=10**14
    )
    first = stripe_event("customer.subscription.created", subscription)
    assert (await post_event(client, first)).json()["status"] == "handled"
    row = await subscription_row(app, profile["id"])
    assert row["plan"] == "pro_monthly" and row["current_period_end"] is None
    # A user id beyond 64 bits in metadata is nobody's: retried, not a crash of its own.
    stray = subscription_object(subscription_id="sub_z", customer_id="cus_z")
    stray["metadata"] = {"user_id": "9" * 40}
    failed = await post_event(client, stripe_event("customer.subscription.updated", stray))
    assert_error(failed, 500, "webhook_handler_failed")
    assert "no user found" in (await stripe_event_rows(app))[-1]["last_error"]


async def test_a_lone_surrogate_in_a_signed_body_is_400(client: httpx.AsyncClient) -> None:
    payload = event_payload(
        stripe_event(
            "customer.subscription.updated",
            subscription_object(subscription_id="sub_u", customer_id="cus_u"),
        )
    ).replace(b'"cus_u"', b'"cus_\\ud800"')
    response = await client.post(
        "/v1/stripe/webhook",
        content=payload,
        headers={"Content-Type": "application/json", "Stripe-Signature": signature_header(payload)},
    )
    assert_error(response, 400, "invalid_payload")
