"""`atlas admin user show`: the account as support needs it, without its secrets."""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path

from helpers.admin import STRIPE_KEY, WEBHOOK_SECRET, admin, admin_env, admin_settings, app_client
from helpers.api import TEST_PASSWORD, login, register, unique_email
from helpers.stripe_fakes import (
    checkout_session_object,
    post_event,
    stripe_event,
    subscription_object,
)
from insight_atlas.settings import Settings

PRICE = "price_test_monthly"


async def _pro_user_with_history(settings: Settings, email: str) -> dict[str, str]:
    """A Pro Monthly user who signed in once, and one event about someone else."""
    async with app_client(settings) as (_app, client):
        profile = await register(client, email)
        await login(client, email)
        ids = {"customer_id": "cus_admin_show", "subscription_id": "sub_admin_show"}
        events = [
            stripe_event(
                "checkout.session.completed",
                checkout_session_object(user_id=profile["id"], **ids),
                event_id="evt_show_checkout",
            ),
            stripe_event(
                "customer.subscription.created",
                subscription_object(**ids, user_id=profile["id"], price_id=PRICE),
                event_id="evt_show_created",
            ),
            # Another person's event: it must not show up under this user.
            stripe_event(
                "customer.subscription.created",
                subscription_object(
                    customer_id="cus_someone_else", subscription_id="sub_someone_else"
                ),
                event_id="evt_someone_else",
            ),
        ]
        for event in events:
            await post_event(client, event, secret=WEBHOOK_SECRET)
    return ids


def test_unknown_email_is_one_line_on_stderr_and_exit_1(database_url: str, tmp_path: Path) -> None:
    settings = admin_settings(database_url, tmp_path / "data", None)
    result = admin(admin_env(settings), "user", "show", "Nobody@Example.com", code=1)
    assert result.stdout == ""
    assert result.stderr.strip().splitlines() == [
        "no user with e-mail nobody@example.com (never registered, or deleted)"
    ]


def test_show_lists_account_subscription_entitlements_events_and_sign_ins(
    database_url: str, tmp_path: Path
) -> None:
    settings = admin_settings(database_url, tmp_path / "data", "http://127.0.0.1:1")
    email = unique_email("show")
    ids = asyncio.run(_pro_user_with_history(settings, email))
    env = admin_env(settings)

    shown = admin(env, "user", "show", email.upper()).stdout
    assert email in shown
    assert "pro_monthly (in force: pro_monthly)" in shown
    assert ids["customer_id"] in shown and ids["subscription_id"] in shown
    assert "reports:compare" in shown
    assert "evt_show_created" in shown and "evt_show_checkout" in shown
    assert "evt_someone_else" not in shown

    document = json.loads(admin(env, "user", "show", email, "--json").stdout)
    assert document["user"]["email"] == email
    assert document["user"]["active"] is True and document["user"]["deleted"] is False
    assert document["subscription"]["plan"] == "pro_monthly"
    assert document["subscription"]["status"] == "active"
    assert document["subscription"]["stripe_customer_id"] == ids["customer_id"]
    assert "instrument:ipip-neo-120" in document["entitlements"]
    assert {e["id"] for e in document["events"]} == {"evt_show_checkout", "evt_show_created"}
    assert all(e["outcome"] == "handled" and e["attempts"] == 1 for e in document["events"])
    assert len(document["sign_ins"]) == 1
    assert document["sign_ins"][0]["revoked_at"] is None
    assert document["assessments"] == {"started": 0, "submitted": 0, "reports": 0}
    for output in (shown, json.dumps(document)):
        for secret in ("$argon2", "password_hash", "token_hash", STRIPE_KEY, WEBHOOK_SECRET):
            assert secret not in output
        assert TEST_PASSWORD not in output


def test_show_reads_the_lockout_counter_from_redis(database_url: str, tmp_path: Path) -> None:
    redis_url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    # Redis is shared by every test (and run) for an hour: the per-address limits of
    # registration and sign-in, counted there for the tests' one client address, are
    # lifted so that only the per-account counter under test matters.
    settings = admin_settings(
        database_url,
        tmp_path / "data",
        None,
        redis_url=redis_url,
        register_max_per_ip=100_000,
        login_max_attempts_per_ip=100_000,
    )
    email = unique_email("locked")

    async def register_user() -> None:
        async with app_client(settings) as (_app, client):
            await register(client, email)

    async def guess_wrong() -> None:
        async with app_client(settings) as (_app, client):
            for _ in range(settings.login_max_failures_per_account):
                response = await client.post(
                    "/v1/auth/login", json={"email": email, "password": "not the password"}
                )
                assert response.status_code == 401

    asyncio.run(register_user())
    env = admin_env(settings)
    before = json.loads(admin(env, "user", "show", email, "--json").stdout)
    assert before["user"]["lockout"]["locked"] is False
    asyncio.run(guess_wrong())
    document = json.loads(admin(env, "user", "show", email, "--json").stdout)
    assert document["user"]["lockout"]["locked"] is True
    assert document["user"]["lockout"]["failures"] == settings.login_max_failures_per_account
    assert "locked        yes (5 wrong passwords in the window)" in (
        admin(env, "user", "show", email).stdout
    )
    no_redis = json.loads(
        admin(admin_env(settings, REDIS_URL=""), "user", "show", email, "--json").stdout
    )
    assert no_redis["user"]["lockout"]["locked"] is None
