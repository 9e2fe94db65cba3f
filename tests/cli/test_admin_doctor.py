"""`atlas admin doctor`: green on a sane configuration, red (exit 1) with the reason."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from helpers.admin import (
    PRICE_MONTHLY,
    PRICE_YEARLY,
    STRIPE_KEY,
    WEBHOOK_SECRET,
    admin,
    admin_env,
    admin_settings,
)
from helpers.stripe_fakes import FakeStripe, fake_stripe_server, price_object
from insight_atlas.cli.admin.doctor import check_stripe
from insight_atlas.settings import Environment

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
LIVE_KEY = "sk_live_admin_fake_key"


@pytest.fixture
def fake_stripe() -> Iterator[FakeStripe]:
    with fake_stripe_server() as fake:
        fake.prices = {
            PRICE_MONTHLY: price_object(PRICE_MONTHLY),
            PRICE_YEARLY: price_object(PRICE_YEARLY),
        }
        yield fake


def _checks(output: str) -> dict[str, bool]:
    document = json.loads(output)
    assert document["ok"] is all(check["ok"] for check in document["checks"])
    return {check["name"]: check["ok"] for check in document["checks"]}


def test_all_green_on_a_sane_configuration(
    database_url: str, tmp_path: Path, fake_stripe: FakeStripe
) -> None:
    settings = admin_settings(
        database_url, tmp_path / "data", fake_stripe.base_url, redis_url=REDIS_URL
    )
    env = admin_env(settings)
    shown = admin(env, "doctor").stdout
    lines = shown.strip().splitlines()
    assert [line.split(":")[0] for line in lines] == [
        "✓ database",
        "✓ settings",
        "✓ stripe",
        "✓ redis",
        "✓ mail",
        "✓ scoring",
    ], shown
    assert "at head" in lines[0] and "models match" in lines[0]
    assert "test key" in lines[2] and "both prices exist" in lines[2]
    assert "reachable" in lines[3]
    assert "worker started" in lines[5]
    for path in (f"/v1/prices/{PRICE_MONTHLY}", f"/v1/prices/{PRICE_YEARLY}"):
        assert fake_stripe.calls("GET", path)
    assert STRIPE_KEY not in shown and WEBHOOK_SECRET not in shown
    assert all(_checks(admin(env, "doctor", "--json").stdout).values())


def test_red_on_live_key_with_test_prices_and_unreachable_services(
    database_url: str, tmp_path: Path, fake_stripe: FakeStripe
) -> None:
    settings = admin_settings(database_url, tmp_path / "data", fake_stripe.base_url)
    env = admin_env(
        settings,
        STRIPE_SECRET_KEY=LIVE_KEY,
        REDIS_URL="redis://127.0.0.1:1/0",
        MAIL_BACKEND="smtp",
        SMTP_HOST="127.0.0.1",
        SMTP_PORT="1",
    )
    result = admin(env, "doctor", code=1)
    lines = {line.split(":")[0]: line for line in result.stdout.strip().splitlines()}
    assert f"{PRICE_MONTHLY} is a test price, the key is live" in lines["✗ stripe"]
    assert "unreachable" in lines["✗ redis"]
    assert "SMTP 127.0.0.1:1" in lines["✗ mail"]
    assert "✓ database" in lines and "✓ scoring" in lines
    assert LIVE_KEY not in result.stdout + result.stderr
    checks = _checks(admin(env, "doctor", "--json", code=1).stdout)
    assert checks == {
        "database": True,
        "settings": True,
        "stripe": False,
        "redis": False,
        "mail": False,
        "scoring": True,
    }


def test_red_on_a_missing_price_and_sandbox_said_so(
    database_url: str, tmp_path: Path, fake_stripe: FakeStripe
) -> None:
    settings = admin_settings(database_url, tmp_path / "data", fake_stripe.base_url)
    missing = admin(admin_env(settings, STRIPE_PRICE_PRO_YEARLY="price_typo"), "doctor", code=1)
    assert "STRIPE_PRICE_PRO_YEARLY price_typo: resource_missing" in missing.stdout
    sandbox = admin(admin_env(admin_settings(database_url, tmp_path / "data", None)), "doctor")
    assert "✓ stripe: sandbox" in sandbox.stdout


def test_red_on_production_settings_and_a_database_behind(tmp_path: Path) -> None:
    """Production refuses the development defaults; an empty database is not at head.
    Every other check still runs, so one run reports everything wrong."""
    settings = admin_settings(f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}", tmp_path, None)
    env = admin_env(settings, ATLAS_ENV="production", SECRET_KEY="short")
    result = admin(env, "doctor", code=1)
    lines = {line.split(":")[0]: line for line in result.stdout.strip().splitlines()}
    assert "refusing to start in production" in lines["✗ settings"]
    assert "SECRET_KEY is the default or shorter" in lines["✗ settings"]
    assert "run 'atlas db upgrade'" in lines["✗ database"]
    assert "✓ scoring" in lines


async def test_a_test_key_in_production_is_red(
    database_url: str, tmp_path: Path, fake_stripe: FakeStripe
) -> None:
    settings = admin_settings(database_url, tmp_path / "data", fake_stripe.base_url)
    assert (await check_stripe(settings)).ok
    production = settings.model_copy(update={"atlas_env": Environment.PRODUCTION})
    check = await check_stripe(production)
    assert not check.ok and "a test key in production" in check.detail
