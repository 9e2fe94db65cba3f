"""Stripe mode: what the SDK sends to Stripe for checkout, portal and account deletion."""

from __future__ import annotations

import asyncio
import warnings
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from helpers.api import TEST_PASSWORD, assert_error, bearer, signed_in_user
from helpers.stripe_fakes import (
    FakeStripe,
    post_event,
    stripe_event,
    subscription_object,
    subscription_row,
)
from insight_atlas.billing.errors import BillingProviderError
from insight_atlas.billing.service import cancel_subscription_for_account_deletion

SECRET = "whsec_test_stripe_mode_secret"


async def checkout(client: httpx.AsyncClient, tokens: dict[str, Any], plan: str) -> httpx.Response:
    return await client.post(
        "/v1/billing/checkout", json={"plan": plan}, headers=bearer(tokens["access_token"])
    )


async def make_pro(client: httpx.AsyncClient, user_id: int, customer_id: str) -> str:
    sub_id = f"sub_live_{user_id}"
    event = stripe_event(
        "customer.subscription.created",
        subscription_object(
            subscription_id=sub_id,
            customer_id=customer_id,
            user_id=user_id,
            price_id="price_test_monthly",
        ),
    )
    response = await post_event(client, event, secret=SECRET)
    assert response.json()["status"] == "handled", response.text
    return sub_id


async def test_checkout_creates_one_customer_and_a_subscription_session(
    stripe_mode_client: httpx.AsyncClient, stripe_mode_app: FastAPI, fake_stripe: FakeStripe
) -> None:
    profile, tokens = await signed_in_user(stripe_mode_client)
    response = await checkout(stripe_mode_client, tokens, "pro_yearly")
    assert response.status_code == 200, response.text
    assert response.json()["url"].startswith("https://checkout.stripe.test/c/pay/cs_fake_")

    [customer_call] = fake_stripe.calls("POST", "/v1/customers")
    assert customer_call.headers["authorization"] == "Bearer sk_test_fake_key"
    assert customer_call.headers["idempotency-key"].startswith(f"atlas-customer-{profile['id']}-")
    assert customer_call.form["metadata[user_id]"] == str(profile["id"])
    [session_call] = fake_stripe.calls("POST", "/v1/checkout/sessions")
    form = session_call.form
    assert form["mode"] == "subscription"
    assert form["customer"] == "cus_fake_1"
    assert form["client_reference_id"] == str(profile["id"])
    assert form["line_items[0][price]"] == "price_test_yearly"
    assert form["line_items[0][quantity]"] == "1"
    assert form["metadata[user_id]"] == str(profile["id"])
    assert form["subscription_data[metadata][user_id]"] == str(profile["id"])
    assert form["success_url"].startswith("https://app.example.test/")
    assert "{CHECKOUT_SESSION_ID}" in form["success_url"]
    assert form["cancel_url"].startswith("https://app.example.test/")
    assert "customer_email" not in form  # the user is matched by id, never by e-mail
    row = await subscription_row(stripe_mode_app, profile["id"])
    assert row["stripe_customer_id"] == "cus_fake_1"

    again = await checkout(stripe_mode_client, tokens, "pro_monthly")
    assert again.status_code == 200
    assert len(fake_stripe.calls("POST", "/v1/customers")) == 1  # reused, not re-created
    assert fake_stripe.calls("POST", "/v1/checkout/sessions")[1].form["customer"] == "cus_fake_1"


async def test_a_double_click_makes_one_customer(
    stripe_mode_client: httpx.AsyncClient, stripe_mode_app: FastAPI, fake_stripe: FakeStripe
) -> None:
    profile, tokens = await signed_in_user(stripe_mode_client)
    first, second = await asyncio.gather(
        checkout(stripe_mode_client, tokens, "pro_monthly"),
        checkout(stripe_mode_client, tokens, "pro_monthly"),
    )
    assert (first.status_code, second.status_code) == (200, 200), (first.text, second.text)
    keys = {call.headers["idempotency-key"] for call in fake_stripe.calls("POST", "/v1/customers")}
    assert len(keys) == 1  # both attempts carry one key, so Stripe makes one customer
    customers = set(fake_stripe.customers_by_key.values())
    assert len(customers) == 1
    row = await subscription_row(stripe_mode_app, profile["id"])
    assert row["stripe_customer_id"] in customers


async def test_checkout_is_refused_when_already_subscribed(
    stripe_mode_client: httpx.AsyncClient, fake_stripe: FakeStripe
) -> None:
    profile, tokens = await signed_in_user(stripe_mode_client)
    assert (await checkout(stripe_mode_client, tokens, "pro_monthly")).status_code == 200
    await make_pro(stripe_mode_client, profile["id"], "cus_fake_1")
    refused = await checkout(stripe_mode_client, tokens, "pro_yearly")
    error = assert_error(refused, 409, "already_subscribed")
    assert "portal" in error["message"]
    assert len(fake_stripe.calls("POST", "/v1/checkout/sessions")) == 1


async def test_checkout_validates_the_plan(stripe_mode_client: httpx.AsyncClient) -> None:
    _, tokens = await signed_in_user(stripe_mode_client)
    assert_error(await checkout(stripe_mode_client, tokens, "free"), 422, "validation_error")
    unauthenticated = await stripe_mode_client.post(
        "/v1/billing/checkout", json={"plan": "pro_monthly"}
    )
    assert_error(unauthenticated, 401, "invalid_token")


async def test_portal_needs_a_customer_and_returns_stripes_url(
    stripe_mode_client: httpx.AsyncClient, fake_stripe: FakeStripe
) -> None:
    _, tokens = await signed_in_user(stripe_mode_client)
    headers = bearer(tokens["access_token"])
    assert_error(
        await stripe_mode_client.post("/v1/billing/portal", headers=headers),
        409,
        "no_billing_account",
    )
    await checkout(stripe_mode_client, tokens, "pro_monthly")
    response = await stripe_mode_client.post("/v1/billing/portal", headers=headers)
    assert response.status_code == 200
    assert response.json()["url"].startswith("https://billing.stripe.test/p/session/")
    [portal_call] = fake_stripe.calls("POST", "/v1/billing_portal/sessions")
    assert portal_call.form["customer"] == "cus_fake_1"
    assert portal_call.form["return_url"] == "https://app.example.test/account/billing"


async def test_stripe_errors_become_503_without_details(
    stripe_mode_client: httpx.AsyncClient, fake_stripe: FakeStripe
) -> None:
    _, tokens = await signed_in_user(stripe_mode_client)
    fake_stripe.fail_with = (
        400,
        {"error": {"type": "invalid_request_error", "message": "No such price: 'secret'"}},
    )
    response = await checkout(stripe_mode_client, tokens, "pro_monthly")
    assert_error(response, 503, "billing_unavailable")
    assert "secret" not in response.text


async def test_account_deletion_cancels_the_stripe_subscription_first(
    stripe_mode_client: httpx.AsyncClient, stripe_mode_app: FastAPI, fake_stripe: FakeStripe
) -> None:
    profile, tokens = await signed_in_user(stripe_mode_client)
    await checkout(stripe_mode_client, tokens, "pro_monthly")
    sub_id = await make_pro(stripe_mode_client, profile["id"], "cus_fake_1")
    state = stripe_mode_app.state

    fake_stripe.fail_with = (
        500,
        {"error": {"type": "api_error", "message": "Stripe is having a bad day"}},
    )
    async with state.database.sessionmaker() as session:
        with pytest.raises(BillingProviderError):
            await cancel_subscription_for_account_deletion(session, state.settings, profile["id"])
        await session.rollback()
    assert (await subscription_row(stripe_mode_app, profile["id"]))["status"] == "active"

    fake_stripe.fail_with = None
    async with state.database.sessionmaker() as session:
        await cancel_subscription_for_account_deletion(session, state.settings, profile["id"])
        await session.commit()
    cancel_calls = fake_stripe.calls("DELETE", f"/v1/subscriptions/{sub_id}")
    assert cancel_calls and cancel_calls[-1].headers["idempotency-key"] == f"atlas-cancel-{sub_id}"
    assert (await subscription_row(stripe_mode_app, profile["id"]))["status"] == "canceled"


async def test_account_deletion_without_a_subscription_calls_nothing(
    stripe_mode_client: httpx.AsyncClient, stripe_mode_app: FastAPI, fake_stripe: FakeStripe
) -> None:
    profile, _ = await signed_in_user(stripe_mode_client)
    state = stripe_mode_app.state
    async with state.database.sessionmaker() as session:
        await cancel_subscription_for_account_deletion(session, state.settings, profile["id"])
    assert fake_stripe.requests == []


async def test_sandbox_pages_do_not_exist_in_stripe_mode(
    stripe_mode_client: httpx.AsyncClient,
) -> None:
    response = await stripe_mode_client.get("/v1/billing/sandbox/checkout", params={"token": "x"})
    assert_error(response, 404, "not_found")


async def test_delete_me_cancels_in_stripe_and_is_aborted_when_stripe_refuses(
    stripe_mode_client: httpx.AsyncClient, stripe_mode_app: FastAPI, fake_stripe: FakeStripe
) -> None:
    profile, tokens = await signed_in_user(stripe_mode_client)
    headers = bearer(tokens["access_token"])
    await checkout(stripe_mode_client, tokens, "pro_monthly")
    sub_id = await make_pro(stripe_mode_client, profile["id"], "cus_fake_1")
    body = {"password": TEST_PASSWORD}

    fake_stripe.fail_with = (
        400,
        {"error": {"type": "invalid_request_error", "message": "refused"}},
    )
    refused = await stripe_mode_client.request("DELETE", "/v1/me", json=body, headers=headers)
    assert_error(refused, 503, "billing_unavailable")
    assert (await stripe_mode_client.get("/v1/me", headers=headers)).status_code == 200

    fake_stripe.fail_with = None
    deleted = await stripe_mode_client.request("DELETE", "/v1/me", json=body, headers=headers)
    assert deleted.status_code == 204, deleted.text
    assert fake_stripe.calls("DELETE", f"/v1/subscriptions/{sub_id}")
    assert (await stripe_mode_client.get("/v1/me", headers=headers)).status_code == 401


async def test_stripe_calls_send_their_form_body_without_deprecation_warnings(
    stripe_mode_client: httpx.AsyncClient, fake_stripe: FakeStripe
) -> None:
    _, tokens = await signed_in_user(stripe_mode_client)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        response = await stripe_mode_client.post(
            "/v1/billing/checkout",
            json={"plan": "pro_yearly"},
            headers=bearer(tokens["access_token"]),
        )
    assert response.status_code == 200, response.text
    assert [str(w.message) for w in caught if w.category is DeprecationWarning] == []
    # The form still arrives whole: one request per call, no retry after a transport error.
    [checkout] = fake_stripe.calls("POST", "/v1/checkout/sessions")
    assert checkout.form["line_items[0][price]"] == "price_test_yearly"
    assert len(fake_stripe.calls("POST", "/v1/customers")) == 1
