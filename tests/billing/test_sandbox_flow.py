"""Sandbox billing end to end over HTTP: checkout page, Pay, signed events, portal."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
from fastapi import FastAPI

from helpers.api import TEST_PASSWORD, assert_error, bearer, signed_in_user
from helpers.stripe_fakes import stripe_event_rows
from insight_atlas.consent.ledger import CURRENT_CONSENT_VERSION


def local(url: str) -> str:
    """The path and query of a sandbox URL built on PUBLIC_API_URL."""
    parts = urlsplit(url)
    assert parts.netloc == "127.0.0.1:8000", url
    return f"{parts.path}?{parts.query}"


def token_of(url: str) -> str:
    return parse_qs(urlsplit(url).query)["token"][0]


async def start_pro_assessment(
    client: httpx.AsyncClient, headers: dict[str, str]
) -> httpx.Response:
    return await client.post(
        "/v1/assessments",
        json={"instrument": "ipip-neo-120", "consent_version": CURRENT_CONSENT_VERSION},
        headers=headers,
    )


async def sandbox_checkout(client: httpx.AsyncClient, headers: dict[str, str], plan: str) -> str:
    response = await client.post("/v1/billing/checkout", json={"plan": plan}, headers=headers)
    assert response.status_code == 200, response.text
    url: str = response.json()["url"]
    return url


async def pay(client: httpx.AsyncClient, url: str, action: str = "pay") -> httpx.Response:
    return await client.post(
        "/v1/billing/sandbox/checkout",
        data={"token": token_of(url), "action": action},
    )


async def me(client: httpx.AsyncClient, headers: dict[str, str]) -> dict[str, Any]:
    body: dict[str, Any] = (await client.get("/v1/me", headers=headers)).json()
    return body


async def test_free_user_upgrades_in_the_sandbox_and_cancels_back_to_free(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    _, tokens = await signed_in_user(client)
    headers = bearer(tokens["access_token"])
    error = assert_error(await start_pro_assessment(client, headers), 402, "upgrade_required")
    assert error["details"]["plan_needed"] == "pro_monthly"

    url = await sandbox_checkout(client, headers, "pro_monthly")
    assert url.startswith("http://127.0.0.1:8000/v1/billing/sandbox/checkout?token=")
    page = await client.get(local(url))
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    policy = page.headers["content-security-policy"]
    assert "form-action 'self'" in policy and "style-src 'unsafe-inline'" in policy
    assert "script-src" not in policy
    html = page.text
    assert "Pro Monthly" in html and "$19.00 per month" in html
    assert re.search(r'<button[^>]*value="pay"[^>]*>Pay', html)
    assert re.search(r'<button[^>]*value="cancel"[^>]*>Cancel</button>', html)
    assert '<form method="post" action="/v1/billing/sandbox/checkout">' in html
    assert (await me(client, headers))["plan"] == "free"  # viewing the page changes nothing

    paid = await pay(client, url)
    assert paid.status_code == 303
    assert paid.headers["location"].startswith(
        "http://127.0.0.1:8000/account/billing?checkout=success"
    )
    profile = await me(client, headers)
    assert (profile["plan"], profile["status"]) == ("pro_monthly", "active")
    assert "instrument:ipip-neo-120" in profile["entitlements"]
    assert profile["subscription"]["current_period_end"] is not None
    assert (await start_pro_assessment(client, headers)).status_code == 201

    events = await stripe_event_rows(app)
    assert [row["type"] for row in events] == [
        "checkout.session.completed",
        "customer.subscription.created",
        "invoice.paid",
    ]
    assert all(row["handled_at"] is not None for row in events)
    assert all(row["stripe_event_id"].startswith("evt_sandbox_") for row in events)
    # Each delivery's request id leads back to the Pay request that caused it.
    pay_request_id = paid.headers["x-request-id"]
    assert [row["last_request_id"] for row in events] == [
        f"{pay_request_id}.{number}" for number in (1, 2, 3)
    ]

    portal = await client.post("/v1/billing/portal", headers=headers)
    assert portal.status_code == 200
    portal_url = portal.json()["url"]
    portal_page = await client.get(local(portal_url))
    assert portal_page.status_code == 200 and "Cancel subscription now" in portal_page.text
    assert "<legend>Change plan</legend>" in portal_page.text
    cancelled = await client.post(
        "/v1/billing/sandbox/portal", data={"token": token_of(portal_url), "action": "cancel"}
    )
    assert cancelled.status_code == 303
    profile = await me(client, headers)
    assert (profile["plan"], profile["status"]) == ("free", "canceled")
    assert_error(await start_pro_assessment(client, headers), 402, "upgrade_required")
    assert (await stripe_event_rows(app))[-1]["type"] == "customer.subscription.deleted"


async def test_pressing_pay_twice_charges_once(client: httpx.AsyncClient, app: FastAPI) -> None:
    _, tokens = await signed_in_user(client)
    headers = bearer(tokens["access_token"])
    url = await sandbox_checkout(client, headers, "pro_yearly")
    assert (await pay(client, url)).status_code == 303
    assert (await pay(client, url)).status_code == 303
    events = await stripe_event_rows(app)
    assert len(events) == 3 and all(row["attempts"] == 1 for row in events)
    assert (await me(client, headers))["plan"] == "pro_yearly"
    # A second checkout link cannot start a second subscription.
    assert_error(
        await client.post("/v1/billing/checkout", json={"plan": "pro_monthly"}, headers=headers),
        409,
        "already_subscribed",
    )


async def test_two_open_checkout_links_cannot_both_be_paid(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    _, tokens = await signed_in_user(client)
    headers = bearer(tokens["access_token"])
    first = await sandbox_checkout(client, headers, "pro_monthly")
    second = await sandbox_checkout(client, headers, "pro_yearly")
    assert (await pay(client, first)).status_code == 303
    refused = await pay(client, second)
    assert refused.status_code == 409 and "Already subscribed" in refused.text
    assert (await me(client, headers))["plan"] == "pro_monthly"


async def test_cancel_on_the_checkout_page_changes_nothing(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    _, tokens = await signed_in_user(client)
    headers = bearer(tokens["access_token"])
    url = await sandbox_checkout(client, headers, "pro_monthly")
    response = await pay(client, url, action="cancel")
    assert response.status_code == 303
    assert response.headers["location"].endswith("/account/billing?checkout=cancel")
    assert (await me(client, headers))["plan"] == "free"
    assert await stripe_event_rows(app) == []


async def test_portal_switches_plan_and_simulates_failed_then_good_payment(
    client: httpx.AsyncClient,
) -> None:
    _, tokens = await signed_in_user(client)
    headers = bearer(tokens["access_token"])
    await pay(client, await sandbox_checkout(client, headers, "pro_monthly"))
    token = token_of((await client.post("/v1/billing/portal", headers=headers)).json()["url"])

    async def act(**form: str) -> None:
        response = await client.post("/v1/billing/sandbox/portal", data={"token": token, **form})
        assert response.status_code == 303, response.text

    await act(action="switch", plan="pro_yearly")
    assert (await me(client, headers))["plan"] == "pro_yearly"
    await act(action="fail_payment")
    profile = await me(client, headers)
    assert (profile["plan"], profile["status"]) == ("pro_yearly", "past_due")
    assert profile["payment_past_due"] is True and profile["billing_banner"]
    await act(action="pay")
    profile = await me(client, headers)
    assert (profile["status"], profile["billing_banner"]) == ("active", None)


async def test_sandbox_links_are_signed_expiring_and_single_purpose(
    client: httpx.AsyncClient,
) -> None:
    _, tokens = await signed_in_user(client)
    headers = bearer(tokens["access_token"])
    url = await sandbox_checkout(client, headers, "pro_monthly")
    token = token_of(url)
    body, _, mac = token.partition(".")
    forged = f"{body[:-2]}xx.{mac}"
    for bad in (forged, f"{body}.{mac[:-2]}AA", "", "1", token + "x"):
        response = await client.get("/v1/billing/sandbox/checkout", params={"token": bad})
        assert_error(response, 404, "not_found")
    # A checkout link does not open the portal.
    wrong_page = await client.get("/v1/billing/sandbox/portal", params={"token": token})
    assert_error(wrong_page, 404, "not_found")
    missing = await client.post("/v1/billing/sandbox/checkout", data={"action": "pay"})
    assert_error(missing, 404, "not_found")


async def test_expired_sandbox_link_is_refused(client: httpx.AsyncClient, app: FastAPI) -> None:
    import datetime as dt

    from insight_atlas.billing import sandbox_links

    settings = app.state.settings
    long_ago = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    url = sandbox_links.link(
        settings,
        sandbox_links.CHECKOUT,
        {"user_id": 1, "plan": "pro_monthly", "customer": "c"},
        long_ago,
    )
    assert_error(await client.get(local(url)), 404, "not_found")


async def test_plans_are_public_with_prices_and_entitlements(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/billing/plans")
    assert response.status_code == 200
    plans = {plan["key"]: plan for plan in response.json()}
    assert set(plans) == {"free", "pro_monthly", "pro_yearly"}
    assert (plans["free"]["amount_cents"], plans["free"]["interval"]) == (0, None)
    assert (plans["pro_monthly"]["amount_cents"], plans["pro_monthly"]["interval"]) == (
        1900,
        "month",
    )
    assert (plans["pro_yearly"]["amount_cents"], plans["pro_yearly"]["interval"]) == (19000, "year")
    assert "instrument:ipip-neo-120" not in plans["free"]["entitlements"]
    assert {"privacy:export", "privacy:delete"} <= set(plans["free"]["entitlements"])
    assert plans["pro_yearly"]["entitlements"] == plans["pro_monthly"]["entitlements"]
    # Printing belongs to every report: no plan advertises it as a feature of its own.
    assert not any("print" in name for plan in plans.values() for name in plan["entitlements"])


async def test_deleting_a_subscribed_account_in_the_sandbox(client: httpx.AsyncClient) -> None:
    _, tokens = await signed_in_user(client)
    headers = bearer(tokens["access_token"])
    await pay(client, await sandbox_checkout(client, headers, "pro_monthly"))
    assert (await me(client, headers))["plan"] == "pro_monthly"
    deleted = await client.request(
        "DELETE", "/v1/me", json={"password": TEST_PASSWORD}, headers=headers
    )
    assert deleted.status_code == 204, deleted.text
    assert (await client.get("/v1/me", headers=headers)).status_code == 401
