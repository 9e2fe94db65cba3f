"""Running `atlas admin` against a test database, and the app that fills it.

The commands read their configuration from the environment, as on a server; the app used
to create users and deliver webhooks gets the same values as a Settings object.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from click.testing import CliRunner
from fastapi import FastAPI

from helpers.api import CLIENT_IP
from helpers.databases import make_settings
from insight_atlas.app import create_app
from insight_atlas.cli.atlas import cli
from insight_atlas.settings import Settings

STRIPE_KEY = "sk_test_admin_fake_key"
WEBHOOK_SECRET = "whsec_test_admin_secret"
PRICE_MONTHLY = "price_test_monthly"
PRICE_YEARLY = "price_test_yearly"


def stripe_values(stripe_api_base: str | None) -> dict[str, Any]:
    """Stripe mode against the fake server, or sandbox mode when there is none."""
    if stripe_api_base is None:
        return {"stripe_secret_key": ""}
    return {
        "stripe_secret_key": STRIPE_KEY,
        "stripe_webhook_secret": WEBHOOK_SECRET,
        "stripe_api_base": stripe_api_base,
        "stripe_price_pro_monthly": PRICE_MONTHLY,
        "stripe_price_pro_yearly": PRICE_YEARLY,
    }


def admin_settings(
    database_url: str, data_dir: Path, stripe_api_base: str | None, **overrides: Any
) -> Settings:
    return make_settings(database_url, data_dir, **stripe_values(stripe_api_base) | overrides)


def admin_env(settings: Settings, **overrides: str | None) -> dict[str, str | None]:
    """The environment `atlas admin` gets on a server configured like `settings`."""
    env: dict[str, str | None] = {
        "ATLAS_ENV": settings.atlas_env.value,
        "DATABASE_URL": settings.database_url,
        "ATLAS_DATA_DIR": str(settings.atlas_data_dir),
        "SECRET_KEY": settings.secret_key,
        "STRIPE_SECRET_KEY": settings.stripe_secret_key,
        "STRIPE_WEBHOOK_SECRET": settings.stripe_webhook_secret,
        "STRIPE_API_BASE": settings.stripe_api_base,
        "STRIPE_PRICE_PRO_MONTHLY": settings.stripe_price_pro_monthly,
        "STRIPE_PRICE_PRO_YEARLY": settings.stripe_price_pro_yearly,
        "REDIS_URL": settings.redis_url,
        "MAIL_BACKEND": settings.mail_backend.value,
        "FIELD_ENCRYPTION_KEY": None,
    }
    return env | overrides


@dataclass(frozen=True)
class AdminRun:
    stdout: str
    stderr: str


def _is_log_line(line: str) -> bool:
    try:
        parsed = json.loads(line)
    except ValueError:
        return False
    return isinstance(parsed, dict) and {"event", "level", "timestamp"} <= parsed.keys()


def admin(env: dict[str, str | None], *args: str, code: int = 0) -> AdminRun:
    """`atlas admin ARGS`; asserts the exit status and that no traceback escaped.

    In its own process the command sends log lines to stderr. Here, loggers that earlier
    tests' apps used first stay bound to "the current sys.stdout" (structlog caches them),
    which inside the runner is the command's stdout: such lines are set aside.
    """
    result = CliRunner().invoke(cli, ["admin", *args], env=env)
    assert result.exit_code == code, (result.exit_code, result.output, result.stderr)
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    lines = result.stdout.splitlines(keepends=True)
    return AdminRun("".join(line for line in lines if not _is_log_line(line)), result.stderr)


@asynccontextmanager
async def app_client(settings: Settings) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    """The app on the same database, started and stopped as a server does (its lifespan)."""
    application = create_app(settings)
    transport = httpx.ASGITransport(app=application, client=(CLIENT_IP, 40002))
    async with application.router.lifespan_context(application):
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield application, client
