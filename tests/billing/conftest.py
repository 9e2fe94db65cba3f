"""Billing fixtures: an app in Stripe mode whose SDK talks to a local fake Stripe."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from conftest import CLIENT_IP, make_settings
from insight_atlas.app import create_app
from stripe_fakes import FakeStripe, fake_stripe_server


@pytest.fixture
def fake_stripe() -> Iterator[FakeStripe]:
    with fake_stripe_server() as fake:
        yield fake


@pytest.fixture
async def stripe_mode_app(
    database_url: str, tmp_path: Path, fake_stripe: FakeStripe
) -> AsyncIterator[FastAPI]:
    settings = make_settings(
        database_url,
        tmp_path / "data",
        stripe_secret_key="sk_test_fake_key",
        stripe_webhook_secret="whsec_test_stripe_mode_secret",
        stripe_api_base=fake_stripe.base_url,
        stripe_price_pro_monthly="price_test_monthly",
        stripe_price_pro_yearly="price_test_yearly",
        public_web_url="https://app.example.test",
    )
    application = create_app(settings)
    yield application
    await application.state.rate_limiter.close()
    await application.state.database.engine.dispose()


@pytest.fixture
async def stripe_mode_client(stripe_mode_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=stripe_mode_app, client=(CLIENT_IP, 40001))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http
