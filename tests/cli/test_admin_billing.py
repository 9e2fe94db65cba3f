"""`atlas admin billing reconcile`: our rows against Stripe's, fixed through the webhook."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from helpers.admin import (
    PRICE_MONTHLY,
    PRICE_YEARLY,
    WEBHOOK_SECRET,
    admin,
    admin_env,
    admin_settings,
    app_client,
)
from helpers.api import register, unique_email
from helpers.stripe_fakes import (
    FakeStripe,
    checkout_session_object,
    fake_stripe_server,
    post_event,
    stripe_event,
    stripe_event_rows,
    subscription_object,
    subscription_row,
)
from insight_atlas.billing import reconcile
from insight_atlas.settings import Settings


@pytest.fixture
def fake_stripe() -> Iterator[FakeStripe]:
    with fake_stripe_server() as fake:
        yield fake


async def _subscribe(settings: Settings, email: str, tag: str) -> tuple[int, dict[str, Any]]:
    """A user on Pro Monthly through signed webhook events; returns (user id, Stripe's object)."""
    ids = {"customer_id": f"cus_{tag}", "subscription_id": f"sub_{tag}"}
    created = int(time.time()) - 60
    async with app_client(settings) as (_app, client):
        user_id = (await register(client, email))["id"]
        subscription = subscription_object(**ids, user_id=user_id, price_id=PRICE_MONTHLY)
        for event in (
            stripe_event(
                "checkout.session.completed",
                checkout_session_object(user_id=user_id, **ids),
                created=created,
            ),
            stripe_event("customer.subscription.created", subscription, created=created),
        ):
            response = await post_event(client, event, secret=WEBHOOK_SECRET)
            assert response.status_code == 200, response.text
    return user_id, subscription


async def _row(settings: Settings, user_id: int) -> dict[str, Any]:
    async with app_client(settings) as (app, _client):
        row = await subscription_row(app, user_id)
    # Raw SELECT *: SQLite hands back its timestamp text.
    return {
        name: dt.datetime.fromisoformat(value)
        if name.endswith(("_at", "_end")) and isinstance(value, str)
        else value
        for name, value in row.items()
    }


def test_unknown_email_and_usage_errors(
    database_url: str, tmp_path: Path, fake_stripe: FakeStripe
) -> None:
    env = admin_env(admin_settings(database_url, tmp_path / "data", fake_stripe.base_url))
    result = admin(env, "billing", "reconcile", "ghost@example.com", code=1)
    assert result.stderr.strip() == "no user with e-mail ghost@example.com"
    admin(env, "billing", "reconcile", code=2)
    admin(env, "billing", "reconcile", "ghost@example.com", "--all", code=2)


def test_out_of_sync_subscription_listed_fixed_then_in_sync(
    database_url: str, tmp_path: Path, fake_stripe: FakeStripe, monkeypatch: pytest.MonkeyPatch
) -> None:
    # One row per page: --all must walk every page.
    monkeypatch.setattr(reconcile, "PAGE_SIZE", 1)
    settings = admin_settings(database_url, tmp_path / "data", fake_stripe.base_url)
    env = admin_env(settings)
    email, in_sync_email = unique_email("drift"), unique_email("steady")
    user_id, ours = asyncio.run(_subscribe(settings, email, "drift"))
    _steady_id, steady = asyncio.run(_subscribe(settings, in_sync_email, "steady"))
    # Stripe moved on without us hearing: switched to yearly, cancels at period end.
    period_end = int(time.time()) + 365 * 86_400
    stripe_side = subscription_object(
        subscription_id="sub_drift",
        customer_id="cus_drift",
        user_id=user_id,
        price_id=PRICE_YEARLY,
        period_end=period_end,
        cancel_at_period_end=True,
    )
    fake_stripe.subscriptions = {"sub_drift": stripe_side, "sub_steady": steady}
    assert ours["items"]["data"][0]["current_period_end"] != period_end

    listed = admin(env, "billing", "reconcile", email, code=1).stdout
    assert "sub_drift" in listed
    for field, mine, theirs in (
        ("plan", "pro_monthly", "pro_yearly"),
        ("cancel_at_period_end", "no", "yes"),
    ):
        assert any(line.split()[2:5] == [field, mine, theirs] for line in listed.splitlines()), (
            listed
        )
    assert "current_period_end" in listed
    assert "1 out of sync." in listed
    everyone = json.loads(admin(env, "billing", "reconcile", "--all", "--json", code=1).stdout)
    assert everyone["checked"] == 2 and everyone["in_sync"] is False
    states = {s["subscription_id"]: s["state"] for s in everyone["subscriptions"]}
    assert states == {"sub_drift": "differs", "sub_steady": "in sync"}
    assert fake_stripe.calls("GET", "/v1/subscriptions/sub_drift")
    row = asyncio.run(_row(settings, user_id))
    assert row["plan"] == "pro_monthly"  # listing changes nothing

    fixed = json.loads(admin(env, "billing", "reconcile", email, "--fix", "--json").stdout)
    assert fixed["in_sync"] is True
    assert fixed["subscriptions"][0]["state"] == "fixed"
    row = asyncio.run(_row(settings, user_id))
    assert row["plan"] == "pro_yearly"
    assert row["stripe_price_id"] == PRICE_YEARLY
    assert bool(row["cancel_at_period_end"]) is True
    assert int(row["current_period_end"].timestamp()) == period_end
    # The fix went through the subscription handler's ordering: it is stamped as newest.
    assert row["stripe_state_at"].timestamp() > time.time() - 60

    again = admin(env, "billing", "reconcile", "--all").stdout
    assert "Compared 2 subscription(s) with Stripe." in again
    assert "All in sync." in again


def test_fix_respects_webhook_rules_and_exit_1_when_differences_remain(
    database_url: str, tmp_path: Path, fake_stripe: FakeStripe
) -> None:
    """A canceled subscription stays canceled, whatever Stripe's object says: the same
    rule the webhook applies, so --fix reports the difference as remaining."""
    settings = admin_settings(database_url, tmp_path / "data", fake_stripe.base_url)
    env = admin_env(settings)
    email = unique_email("ended")
    user_id, subscription = asyncio.run(_subscribe(settings, email, "ended"))

    async def cancel() -> None:
        async with app_client(settings) as (_app, client):
            ended = subscription | {"status": "canceled"}
            event = stripe_event("customer.subscription.deleted", ended)
            assert (await post_event(client, event, secret=WEBHOOK_SECRET)).status_code == 200

    asyncio.run(cancel())
    fake_stripe.subscriptions = {"sub_ended": subscription}  # Stripe says active
    result = admin(env, "billing", "reconcile", email, "--fix", code=1)
    assert "status" in result.stdout and "canceled" in result.stdout
    assert asyncio.run(_row(settings, user_id))["status"] == "canceled"


def test_missing_in_stripe_is_reported(
    database_url: str, tmp_path: Path, fake_stripe: FakeStripe
) -> None:
    settings = admin_settings(database_url, tmp_path / "data", fake_stripe.base_url)
    email = unique_email("gone")
    asyncio.run(_subscribe(settings, email, "gone"))
    result = admin(admin_env(settings), "billing", "reconcile", email, code=1)
    assert "Stripe has no such subscription" in result.stdout


def test_sandbox_mode_compares_with_the_sandbox_events(database_url: str, tmp_path: Path) -> None:
    """In sandbox mode Stripe's view is the newest subscription object the sandbox sent;
    one the handler did not apply (here: a price configured only later) is the drift."""
    settings = admin_settings(
        database_url, tmp_path / "data", None, stripe_price_pro_yearly="price_not_yet"
    )
    email = unique_email("sandbox")

    async def subscribe_then_miss_an_update() -> int:
        async with app_client(settings) as (app, client):
            user_id = (await register(client, email))["id"]
            ids = {"customer_id": "cus_sandbox_x", "subscription_id": "sub_sandbox_x"}
            created = int(time.time()) - 60
            monthly = subscription_object(
                **ids, user_id=user_id, price_id="price_sandbox_pro_monthly"
            )
            yearly = subscription_object(
                **ids, user_id=user_id, price_id="price_sandbox_pro_yearly"
            )
            for event, status in (
                (stripe_event("customer.subscription.created", monthly, created=created), 200),
                (stripe_event("customer.subscription.updated", yearly, created=created + 1), 500),
            ):
                assert (await post_event(client, event)).status_code == status
            assert [row["outcome"] for row in await stripe_event_rows(app)] == [
                "handled",
                "failed",
            ]
            return user_id

    user_id = asyncio.run(subscribe_then_miss_an_update())
    fixed_settings = admin_settings(database_url, tmp_path / "data", None)
    env = admin_env(fixed_settings)
    listed = admin(env, "billing", "reconcile", email, code=1).stdout
    assert "the sandbox's stored events" in listed and "pro_yearly" in listed
    admin(env, "billing", "reconcile", "--all", "--fix")
    assert asyncio.run(_row(fixed_settings, user_id))["plan"] == "pro_yearly"
    assert "All in sync." in admin(env, "billing", "reconcile", email).stdout
