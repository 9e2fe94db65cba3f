"""The webhook accepts only deliveries Stripe signed, recently, for allow-listed types."""

from __future__ import annotations

import json
import time

import httpx
import pytest
from fastapi import FastAPI

from helpers.api import assert_error, register
from helpers.stripe_fakes import (
    event_payload,
    post_event,
    signature_header,
    stripe_event,
    stripe_event_rows,
    subscription_object,
)


def _subscription_event() -> tuple[bytes, str]:
    event = stripe_event(
        "customer.subscription.updated",
        subscription_object(subscription_id="sub_sig", customer_id="cus_sig", user_id=1),
    )
    return event_payload(event), event["id"]


async def test_missing_signature_is_400_and_logged_with_the_request_id(
    client: httpx.AsyncClient, app: FastAPI, capsys: pytest.CaptureFixture[str]
) -> None:
    payload, _ = _subscription_event()
    capsys.readouterr()
    response = await client.post(
        "/v1/stripe/webhook", content=payload, headers={"Content-Type": "application/json"}
    )
    assert_error(response, 400, "missing_signature")
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.strip()]
    rejected = [line for line in lines if line.get("event") == "stripe_webhook_rejected"]
    assert rejected and rejected[0]["reason"] == "missing_signature"
    assert rejected[0]["request_id"] == response.headers["x-request-id"]
    assert await stripe_event_rows(app) == []


@pytest.mark.parametrize(
    "case", ["wrong_secret", "altered_body", "garbage_header", "stale_timestamp"]
)
async def test_unverifiable_deliveries_are_400_and_store_nothing(
    client: httpx.AsyncClient, app: FastAPI, case: str, capsys: pytest.CaptureFixture[str]
) -> None:
    payload, _ = _subscription_event()
    header = signature_header(payload)
    body = payload
    if case == "wrong_secret":
        header = signature_header(payload, "whsec_someone_else")
    elif case == "altered_body":
        body = payload.replace(b'"active"', b'"trialing"')
    elif case == "garbage_header":
        header = "not-a-signature"
    elif case == "stale_timestamp":
        # Stripe's default tolerance is 300 s: a replay of an older capture is refused.
        header = signature_header(payload, timestamp=int(time.time()) - 301)
    capsys.readouterr()
    response = await client.post(
        "/v1/stripe/webhook",
        content=body,
        headers={"Content-Type": "application/json", "Stripe-Signature": header},
    )
    assert_error(response, 400, "invalid_signature")
    logged = capsys.readouterr().out
    assert response.headers["x-request-id"] in logged
    assert await stripe_event_rows(app) == []


async def test_a_recent_timestamp_within_tolerance_is_accepted(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    user_id = (await register(client))["id"]
    event = stripe_event(
        "customer.subscription.created",
        subscription_object(subscription_id="sub_tol", customer_id="cus_tol", user_id=user_id),
    )
    response = await post_event(client, event, timestamp=int(time.time()) - 200)
    assert response.status_code == 200, response.text
    assert response.json() == {"status": "handled", "event_id": event["id"]}


async def test_unknown_event_type_is_acknowledged_and_not_stored(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    event = stripe_event("customer.created", {"id": "cus_x", "object": "customer"})
    response = await post_event(client, event)
    assert response.status_code == 200
    assert response.json() == {"status": "ignored", "event_id": event["id"]}
    assert await stripe_event_rows(app) == []


async def test_signed_but_malformed_body_is_400(client: httpx.AsyncClient) -> None:
    payload = b'{"id": "evt_1", "type": "invoice.paid"}'
    response = await client.post(
        "/v1/stripe/webhook",
        content=payload,
        headers={"Content-Type": "application/json", "Stripe-Signature": signature_header(payload)},
    )
    assert_error(response, 400, "invalid_payload")
