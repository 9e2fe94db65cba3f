"""Stripe API access through the official SDK, without blocking the event loop."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import stripe

from insight_atlas.settings import Settings

REQUEST_TIMEOUT_SECONDS = 20.0


@asynccontextmanager
async def stripe_client(settings: Settings) -> AsyncIterator[stripe.StripeClient]:
    """A StripeClient whose `*_async` calls go through httpx; closed on exit.

    A client per use: its httpx pool belongs to the running event loop, and billing
    calls are rare (checkout, portal, account deletion).
    """
    http_client = stripe.HTTPXClient(timeout=REQUEST_TIMEOUT_SECONDS)
    client = stripe.StripeClient(
        settings.stripe_secret_key,
        base_addresses={"api": settings.stripe_api_base} if settings.stripe_api_base else None,
        http_client=http_client,
        max_network_retries=2,
    )
    try:
        yield client
    finally:
        await http_client.close_async()  # type: ignore[no-untyped-call]
