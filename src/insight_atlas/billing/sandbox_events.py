"""Stripe-format events for the sandbox, signed and delivered as Stripe would deliver them.

The events go through the real HTTP stack of this app (middleware, signature check,
`stripe_webhook.handle_*`) over an in-process transport: no network, same code path.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

import httpx
import orjson
import stripe
from starlette.types import ASGIApp

from insight_atlas.billing.errors import BillingProviderError
from insight_atlas.billing.plans import PLAN_PRICES, Plan, SubscriptionStatus
from insight_atlas.ops.logging import get_logger
from insight_atlas.request_context import current_request_id
from insight_atlas.settings import Settings

log = get_logger("insight_atlas.billing.sandbox")

Event = dict[str, Any]
PERIOD_DAYS = {"month": 30, "year": 365}


def _price_object(settings: Settings, plan: str) -> dict[str, Any]:
    price = PLAN_PRICES[plan]
    price_ids: dict[str, str] = {
        Plan.PRO_MONTHLY: settings.stripe_price_pro_monthly,
        Plan.PRO_YEARLY: settings.stripe_price_pro_yearly,
    }
    price_id = price_ids[plan]
    return {
        "id": price_id,
        "object": "price",
        "currency": price.currency,
        "unit_amount": price.amount_cents,
        "recurring": {"interval": price.interval, "interval_count": 1},
        "type": "recurring",
    }


def subscription_object(
    settings: Settings,
    *,
    subscription_id: str,
    customer_id: str,
    user_id: int,
    plan: str,
    status: str,
    created: int,
    period_start: int,
    cancel_at_period_end: bool = False,
) -> dict[str, Any]:
    interval = PLAN_PRICES[plan].interval or "month"
    period_end = period_start + PERIOD_DAYS[interval] * 86_400
    return {
        "id": subscription_id,
        "object": "subscription",
        "customer": customer_id,
        "status": status,
        "created": created,
        "livemode": False,
        "cancel_at_period_end": cancel_at_period_end,
        "canceled_at": created if status == SubscriptionStatus.CANCELED else None,
        "metadata": {"user_id": str(user_id), "plan": plan},
        "items": {
            "object": "list",
            "data": [
                {
                    "id": f"si_{subscription_id.removeprefix('sub_')}",
                    "object": "subscription_item",
                    "price": _price_object(settings, plan),
                    "quantity": 1,
                    "current_period_start": period_start,
                    "current_period_end": period_end,
                }
            ],
        },
    }


def checkout_session_object(
    *, session_id: str, customer_id: str, subscription_id: str, user_id: int, plan: str
) -> dict[str, Any]:
    price = PLAN_PRICES[plan]
    return {
        "id": session_id,
        "object": "checkout.session",
        "mode": "subscription",
        "status": "complete",
        "payment_status": "paid",
        "client_reference_id": str(user_id),
        "customer": customer_id,
        "subscription": subscription_id,
        "amount_total": price.amount_cents,
        "currency": price.currency,
        "metadata": {"user_id": str(user_id), "plan": plan},
        "livemode": False,
    }


def invoice_object(
    *,
    invoice_id: str,
    customer_id: str,
    subscription: dict[str, Any],
    paid: bool,
    billing_reason: str,
) -> dict[str, Any]:
    item = subscription["items"]["data"][0]
    amount = item["price"]["unit_amount"]
    return {
        "id": invoice_id,
        "object": "invoice",
        "customer": customer_id,
        "status": "paid" if paid else "open",
        "billing_reason": billing_reason,
        "amount_due": amount,
        "amount_paid": amount if paid else 0,
        "currency": item["price"]["currency"],
        "parent": {
            "type": "subscription_details",
            "subscription_details": {
                "subscription": subscription["id"],
                "metadata": subscription["metadata"],
            },
        },
        "lines": {
            "object": "list",
            "data": [
                {
                    "object": "line_item",
                    "amount": amount,
                    "period": {
                        "start": item["current_period_start"],
                        "end": item["current_period_end"],
                    },
                }
            ],
        },
        "livemode": False,
    }


def event(event_id: str, event_type: str, created: int, obj: dict[str, Any]) -> Event:
    return {
        "id": event_id,
        "object": "event",
        "api_version": stripe.api_version,
        "created": created,
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None},
        "type": event_type,
        "data": {"object": obj},
    }


def checkout_events(
    settings: Settings, *, nonce: str, user_id: int, customer_id: str, plan: str, now: dt.datetime
) -> list[Event]:
    """What Stripe sends after a paid subscription checkout, in Stripe's usual order.

    Ids derive from the link's nonce, so pressing Pay twice re-sends the same events,
    which the event store then recognises as duplicates.
    """
    created = int(now.timestamp())
    subscription = subscription_object(
        settings,
        subscription_id=f"sub_sandbox_{nonce}",
        customer_id=customer_id,
        user_id=user_id,
        plan=plan,
        status=SubscriptionStatus.ACTIVE,
        created=created,
        period_start=created,
    )
    checkout = checkout_session_object(
        session_id=f"cs_sandbox_{nonce}",
        customer_id=customer_id,
        subscription_id=subscription["id"],
        user_id=user_id,
        plan=plan,
    )
    invoice = invoice_object(
        invoice_id=f"in_sandbox_{nonce}",
        customer_id=customer_id,
        subscription=subscription,
        paid=True,
        billing_reason="subscription_create",
    )
    return [
        event(f"evt_sandbox_{nonce}_1", "checkout.session.completed", created, checkout),
        event(f"evt_sandbox_{nonce}_2", "customer.subscription.created", created, subscription),
        event(f"evt_sandbox_{nonce}_3", "invoice.paid", created, invoice),
    ]


def new_event_id() -> str:
    return f"evt_sandbox_{secrets.token_hex(12)}"


def signed_delivery(payload: bytes, secret: str, timestamp: int | None = None) -> dict[str, str]:
    """Headers of a delivery signed as Stripe signs: t=<unix>,v1=HMAC-SHA256(secret, t.body)."""
    signature = stripe.WebhookSignature.generate_signature_header(
        payload.decode("utf-8"), secret, timestamp
    )
    return {"Content-Type": "application/json", "Stripe-Signature": signature}


async def deliver(app: ASGIApp, settings: Settings, events: list[Event]) -> None:
    """POST each event, in order, to this app's own /v1/stripe/webhook."""
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 0))
    request_id = current_request_id() or secrets.token_hex(8)
    async with httpx.AsyncClient(transport=transport, base_url=settings.public_api_url) as http:
        for number, item in enumerate(events, start=1):
            payload = orjson.dumps(item)
            headers = signed_delivery(payload, settings.stripe_webhook_secret)
            # Each delivery gets its own request id that leads back to the sandbox action.
            headers["X-Request-ID"] = f"{request_id}.{number}"
            response = await http.post("/v1/stripe/webhook", content=payload, headers=headers)
            if response.status_code >= 300:
                log.warning(
                    "sandbox_delivery_failed",
                    event_id=item["id"],
                    event_type=item["type"],
                    status=response.status_code,
                )
                raise BillingProviderError("The sandbox could not deliver a billing event.")
