"""Stripe API access through the official SDK, without blocking the event loop."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

import stripe

from insight_atlas.settings import Settings

REQUEST_TIMEOUT_SECONDS = 20.0


class FormBodyHTTPXClient(stripe.HTTPXClient):
    """The SDK's httpx transport, handing httpx the encoded form body as `content`.

    The SDK passes its already-encoded form body as `data=`, which httpx deprecates for
    raw text (a DeprecationWarning on every Stripe call, an error in a later httpx); the
    bytes on the wire are the same either way.
    """

    def _get_request_args_kwargs(
        self, method: str, url: str, headers: Mapping[str, str], post_data: Any
    ) -> tuple[Any, dict[str, Any]]:
        args, kwargs = super()._get_request_args_kwargs(method, url, headers, post_data)
        body = kwargs.pop("data", None)
        if isinstance(body, str | bytes):
            kwargs["content"] = body
        elif body:
            kwargs["data"] = body
        return args, kwargs


@asynccontextmanager
async def stripe_client(settings: Settings) -> AsyncIterator[stripe.StripeClient]:
    """A StripeClient whose `*_async` calls go through httpx; closed on exit.

    A client per use: its httpx pool belongs to the running event loop, and billing
    calls are rare (checkout, portal, account deletion).
    """
    http_client = FormBodyHTTPXClient(timeout=REQUEST_TIMEOUT_SECONDS)
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
