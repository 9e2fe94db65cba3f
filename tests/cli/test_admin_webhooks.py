"""`atlas admin webhooks list|replay`: stored events, failed ones run again exactly once."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncConnection

from helpers.admin import WEBHOOK_SECRET, admin, admin_env, admin_settings, app_client
from helpers.api import register, unique_email
from helpers.stripe_fakes import (
    FakeStripe,
    fake_stripe_server,
    post_event,
    stripe_event,
    stripe_event_rows,
    subscription_object,
    subscription_row,
)
from insight_atlas.billing import customer_events, stripe_webhook
from insight_atlas.billing.replay import replay_event
from insight_atlas.db import create_engine
from insight_atlas.settings import Settings

NEW_PRICE = "price_new_monthly"  # not configured when the event arrived


@pytest.fixture
def fake_stripe() -> Iterator[FakeStripe]:
    with fake_stripe_server() as fake:
        yield fake


async def _failed_event(settings: Settings, email: str, event_id: str) -> int:
    """A subscription event whose handler fails: its price is not configured (yet)."""
    async with app_client(settings) as (_app, client):
        user_id = int((await register(client, email))["id"])
        subscription = subscription_object(
            subscription_id=f"sub_{event_id}",
            customer_id=f"cus_{event_id}",
            user_id=user_id,
            price_id=NEW_PRICE,
        )
        event = stripe_event("customer.subscription.created", subscription, event_id=event_id)
        response = await post_event(client, event, secret=WEBHOOK_SECRET)
        assert response.status_code == 500, response.text
    return user_id


async def _state(settings: Settings, user_id: int) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    async with app_client(settings) as (app, _client):
        return await subscription_row(app, user_id), await stripe_event_rows(app)


def test_failed_events_listed_then_replayed_once(
    database_url: str, tmp_path: Path, fake_stripe: FakeStripe
) -> None:
    settings = admin_settings(database_url, tmp_path / "data", fake_stripe.base_url)
    user_id = asyncio.run(_failed_event(settings, unique_email("hook"), "evt_admin_failed"))
    env = admin_env(settings)

    listed = admin(env, "webhooks", "list", "--failed").stdout
    assert "evt_admin_failed" in listed and "EventNotApplicable" in listed
    assert "failed" in listed
    rows = json.loads(
        admin(
            env,
            "webhooks",
            "list",
            "--type",
            "customer.subscription.created",
            "--since",
            "1h",
            "--json",
        ).stdout
    )
    assert [(r["id"], r["outcome"], r["attempts"]) for r in rows] == [
        ("evt_admin_failed", "failed", 1)
    ]
    assert "payload" not in rows[0]
    assert (
        json.loads(admin(env, "webhooks", "list", "--type", "invoice.paid", "--json").stdout) == []
    )
    admin(env, "webhooks", "list", "--since", "soon", code=2)

    # Still misconfigured: the replay fails again, is recorded, and says so (exit 1).
    again = admin(env, "webhooks", "replay", "evt_admin_failed", code=1)
    assert "evt_admin_failed: failed: EventNotApplicable" in again.stdout
    row, events = asyncio.run(_state(settings, user_id))
    assert row["plan"] == "free" and events[0]["attempts"] == 2

    # Configuration fixed: the replay applies it, once.
    fixed_env = env | {"STRIPE_PRICE_PRO_MONTHLY": NEW_PRICE}
    replayed = json.loads(admin(fixed_env, "webhooks", "replay", "--all-failed", "--json").stdout)
    assert replayed == [{"id": "evt_admin_failed", "status": "handled", "detail": "handled"}]
    row, events = asyncio.run(_state(settings, user_id))
    assert row["plan"] == "pro_monthly" and row["status"] == "active"
    assert events[0]["outcome"] == "handled" and events[0]["handled_at"] is not None
    assert events[0]["attempts"] == 3 and events[0]["last_error"] is None
    assert str(events[0]["last_request_id"]).startswith("replay-")

    second = admin(fixed_env, "webhooks", "replay", "evt_admin_failed")
    assert "already handled" in second.stdout
    assert asyncio.run(_state(settings, user_id))[1][0]["attempts"] == 3
    assert (
        "No failed events to replay."
        in admin(fixed_env, "webhooks", "replay", "--all-failed").stdout
    )
    assert json.loads(admin(env, "webhooks", "list", "--failed", "--json").stdout) == []


def test_replay_usage_unknown_and_redacted(
    database_url: str, tmp_path: Path, fake_stripe: FakeStripe
) -> None:
    settings = admin_settings(database_url, tmp_path / "data", fake_stripe.base_url)
    env = admin_env(settings)
    admin(env, "webhooks", "replay", code=2)
    admin(env, "webhooks", "replay", "evt_x", "--all-failed", code=2)
    unknown = admin(env, "webhooks", "replay", "evt_nobody_sent", code=1)
    assert "evt_nobody_sent: not_found" in unknown.stdout

    user_id = asyncio.run(_failed_event(settings, unique_email("gone"), "evt_of_deleted"))

    async def redact() -> None:
        # What account deletion does with the account's stored events.
        async with app_client(settings) as (app, _client):
            async with app.state.database.engine.begin() as connection:
                owner = customer_events.EventOwner.of(user_id, "cus_evt_of_deleted")
                assert await customer_events.redact_events_of(connection, owner) == 1

    asyncio.run(redact())
    refused = admin(
        env | {"STRIPE_PRICE_PRO_MONTHLY": NEW_PRICE},
        "webhooks",
        "replay",
        "evt_of_deleted",
        code=1,
    )
    assert "evt_of_deleted: redacted: its payload was redacted" in refused.stdout
    assert "1 event(s) not applied." in refused.stderr


async def test_two_concurrent_replays_apply_the_event_once(
    database_url: str, tmp_path: Path, fake_stripe: FakeStripe, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = admin_settings(database_url, tmp_path / "data", fake_stripe.base_url)
    async with app_client(settings) as (_app, client):
        user_id = int((await register(client, unique_email("race")))["id"])
        subscription = subscription_object(
            subscription_id="sub_race", customer_id="cus_race", user_id=user_id, price_id=NEW_PRICE
        )
        event = stripe_event("customer.subscription.created", subscription, event_id="evt_race")
        assert (await post_event(client, event, secret=WEBHOOK_SECRET)).status_code == 500

    real = stripe_webhook.HANDLERS["customer.subscription.created"]
    calls: list[str] = []

    async def slow_handler(connection: AsyncConnection, settings: Settings, event: Any) -> None:
        calls.append(event["id"])
        await real(connection, settings, event)
        # Hold the claim while the other replay tries to take it.
        await asyncio.sleep(0.5)

    monkeypatch.setitem(stripe_webhook.HANDLERS, "customer.subscription.created", slow_handler)
    fixed = admin_settings(
        database_url, tmp_path / "data", fake_stripe.base_url, stripe_price_pro_monthly=NEW_PRICE
    )
    engines = [create_engine(fixed), create_engine(fixed)]
    try:
        results = await asyncio.gather(
            *(replay_event(engine, fixed, "evt_race") for engine in engines)
        )
    finally:
        for engine in engines:
            await engine.dispose()
    assert sorted(r.status for r in results) == ["already_handled", "handled"]
    assert calls == ["evt_race"]
    row, events = await _state(fixed, user_id)
    assert row["plan"] == "pro_monthly"
    assert [(e["outcome"], e["attempts"]) for e in events] == [("handled", 2)]
