"""Billing fixtures: an app in Stripe mode whose SDK talks to a local fake Stripe."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from fastapi import FastAPI

from conftest import AppMaker
from helpers.api import CLIENT_IP
from helpers.stripe_fakes import FakeStripe, fake_stripe_server


@pytest.fixture
def fake_stripe() -> Iterator[FakeStripe]:
    with fake_stripe_server() as fake:
        yield fake


@pytest.fixture
async def stripe_mode_app(make_app: AppMaker, fake_stripe: FakeStripe) -> FastAPI:
    return await make_app(
        stripe_secret_key="sk_test_fake_key",
        stripe_webhook_secret="whsec_test_stripe_mode_secret",
        stripe_api_base=fake_stripe.base_url,
        stripe_price_pro_monthly="price_test_monthly",
        stripe_price_pro_yearly="price_test_yearly",
        public_web_url="https://app.example.test",
    )


@pytest.fixture
async def stripe_mode_client(stripe_mode_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=stripe_mode_app, client=(CLIENT_IP, 40001))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http
