"""A deleted account leaves nothing that could act on a later account (issue 14, item 4).

Ids are never reused (the first test). What a deleted account left outside the database
(sandbox links, limiter counters, tokens in someone's hands) is checked against something
that died with it, so it does nothing even to an account given the same id: the other
tests create such an account directly in the database.
"""

from __future__ import annotations

import datetime as dt
import email
from urllib.parse import urlsplit

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import insert, select

from helpers.api import TEST_PASSWORD, assert_error, bearer, login, signed_in_user, unique_email
from helpers.factory import create_account
from helpers.flows import complete_report, make_pro, start
from insight_atlas.accounts import tokens
from insight_atlas.accounts.models import PasswordResetToken
from insight_atlas.billing.models import Subscription
from insight_atlas.db import utcnow
from insight_atlas.settings import Settings


async def delete_account(client: httpx.AsyncClient, access_token: str) -> None:
    response = await client.request(
        "DELETE", "/v1/me", json={"password": TEST_PASSWORD}, headers=bearer(access_token)
    )
    assert response.status_code == 204, response.text


async def account_with_id(app: FastAPI, user_id: int) -> str:
    """A new account given `user_id` directly, as if ids were reused; its e-mail address."""
    _, address = await create_account(app, user_id=user_id, email=unique_email("later"))
    return address


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def token_of(url: str) -> str:
    return urlsplit(url).query.removeprefix("token=")


async def test_the_next_account_never_gets_a_deleted_accounts_id(
    client: httpx.AsyncClient,
) -> None:
    deleted, tokens = await signed_in_user(client)
    await delete_account(client, tokens["access_token"])
    following, _ = await signed_in_user(client)
    assert following["id"] > deleted["id"]


async def test_sandbox_links_of_a_deleted_account_open_nothing(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    deleted, issued = await signed_in_user(client)
    headers = bearer(issued["access_token"])
    checkout = await client.post(
        "/v1/billing/checkout", json={"plan": "pro_monthly"}, headers=headers
    )
    assert checkout.status_code == 200, checkout.text
    portal = await client.post("/v1/billing/portal", headers=headers)
    assert portal.status_code == 200, portal.text
    checkout_url, portal_url = checkout.json()["url"], portal.json()["url"]
    await delete_account(client, issued["access_token"])
    later = await account_with_id(app, deleted["id"])

    assert_error(await client.get(path_of(checkout_url)), 404, "not_found")
    paid = await client.post(
        "/v1/billing/sandbox/checkout", data={"token": token_of(checkout_url), "action": "pay"}
    )
    assert_error(paid, 404, "not_found")
    assert_error(await client.get(path_of(portal_url)), 404, "not_found")
    cancelled = await client.post(
        "/v1/billing/sandbox/portal", data={"token": token_of(portal_url), "action": "cancel"}
    )
    assert_error(cancelled, 404, "not_found")

    profile = (
        await client.get("/v1/me", headers=bearer((await login(client, later))["access_token"]))
    ).json()
    assert profile["plan"] == "free"
    async with app.state.database.engine.connect() as connection:
        customer = await connection.scalar(
            select(Subscription.stripe_customer_id).where(Subscription.user_id == deleted["id"])
        )
    assert customer is None


@pytest.mark.settings(assessments_per_hour=1)
async def test_limiter_counters_of_a_deleted_account_do_not_count_for_a_later_one(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    deleted, issued = await signed_in_user(client)
    assert (await start(client, issued["access_token"])).status_code == 201
    assert_error(await start(client, issued["access_token"]), 429, "rate_limited")
    await delete_account(client, issued["access_token"])

    later = await account_with_id(app, deleted["id"])
    started = await start(client, (await login(client, later))["access_token"])
    assert started.status_code == 201, started.text


def reset_token_in_outbox(settings: Settings) -> str:
    (path,) = sorted(settings.outbox_dir.glob("*.eml"))
    body = email.message_from_bytes(path.read_bytes()).get_payload(decode=True)
    assert isinstance(body, bytes)
    return body.decode().split("reset-password?token=")[1].split()[0]


async def test_tokens_of_a_deleted_account_do_not_act_on_a_later_one(
    client: httpx.AsyncClient, app: FastAPI, settings: Settings
) -> None:
    deleted, issued = await signed_in_user(client)
    await make_pro(app, deleted["id"])
    report = await complete_report(client, issued["access_token"])
    shared = await client.post(
        f"/v1/reports/{report['id']}/share", headers=bearer(issued["access_token"])
    )
    share_token = shared.json()["token"]
    await client.post("/v1/auth/password/forgot", json={"email": deleted["email"]})
    reset_token = reset_token_in_outbox(settings)
    await delete_account(client, issued["access_token"])
    later = await account_with_id(app, deleted["id"])

    # Each is bound to a row that went with the account: sign-in session, share link,
    # reset token.
    me = await client.get("/v1/me", headers=bearer(issued["access_token"]))
    assert_error(me, 401, "invalid_token")
    refreshed = await client.post(
        "/v1/auth/refresh", json={"refresh_token": issued["refresh_token"]}
    )
    assert_error(refreshed, 401, "invalid_refresh_token")
    assert_error(await client.get(f"/v1/shared/{share_token}"), 404, "not_found")
    reset = await client.post(
        "/v1/auth/password/reset",
        json={"token": reset_token, "new_password": "taken-over-passphrase"},
    )
    assert_error(reset, 400, "invalid_reset_token")
    await login(client, later)


async def test_a_reset_token_older_than_its_account_is_refused(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    deleted, issued = await signed_in_user(client)
    await delete_account(client, issued["access_token"])
    later = await account_with_id(app, deleted["id"])
    # As if the deleted account's token had outlived it: made before the account existed.
    token = tokens.new_opaque_token()
    before = utcnow() - dt.timedelta(minutes=1)
    async with app.state.database.engine.begin() as connection:
        await connection.execute(
            insert(PasswordResetToken).values(
                user_id=deleted["id"],
                token_hash=tokens.hash_opaque_token(token),
                created_at=before,
                expires_at=before + dt.timedelta(minutes=30),
            )
        )
    reset = await client.post(
        "/v1/auth/password/reset", json={"token": token, "new_password": "taken-over-passphrase"}
    )
    assert_error(reset, 400, "invalid_reset_token")
    await login(client, later)
