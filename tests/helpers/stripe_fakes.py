"""Stripe test doubles: a local fake Stripe API server and Stripe-signed webhook events.

Events are built with the SDK's own objects (stripe.Event.construct_from), serialised to
JSON and signed with stripe.WebhookSignature exactly as Stripe signs deliveries.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

import httpx
import stripe

from insight_atlas.settings import DEFAULT_WEBHOOK_SECRET

PRICE_MONTHLY = "price_sandbox_pro_monthly"
PRICE_YEARLY = "price_sandbox_pro_yearly"


# --- events -------------------------------------------------------------------------


def stripe_event(
    event_type: str, obj: dict[str, Any], *, created: int | None = None, event_id: str | None = None
) -> stripe.Event:
    return stripe.Event.construct_from(
        {
            "id": event_id or f"evt_test_{uuid.uuid4().hex[:20]}",
            "object": "event",
            "api_version": stripe.api_version,
            "created": created if created is not None else int(time.time()),
            "livemode": False,
            "pending_webhooks": 1,
            "request": {"id": None, "idempotency_key": None},
            "type": event_type,
            "data": {"object": obj},
        },
        None,
    )


def subscription_object(
    *,
    subscription_id: str,
    customer_id: str,
    status: str = "active",
    price_id: str = PRICE_MONTHLY,
    user_id: int | None = None,
    period_end: int | None = None,
    cancel_at_period_end: bool = False,
) -> dict[str, Any]:
    now = int(time.time())
    return {
        "id": subscription_id,
        "object": "subscription",
        "customer": customer_id,
        "status": status,
        "cancel_at_period_end": cancel_at_period_end,
        "metadata": {"user_id": str(user_id)} if user_id is not None else {},
        "items": {
            "object": "list",
            "data": [
                {
                    "id": f"si_{subscription_id}",
                    "object": "subscription_item",
                    "price": {"id": price_id, "object": "price"},
                    "quantity": 1,
                    "current_period_start": now,
                    "current_period_end": period_end or now + 30 * 86_400,
                }
            ],
        },
    }


def checkout_session_object(
    *, user_id: int, customer_id: str, subscription_id: str, session_id: str | None = None
) -> dict[str, Any]:
    return {
        "id": session_id or f"cs_test_{uuid.uuid4().hex[:16]}",
        "object": "checkout.session",
        "mode": "subscription",
        "status": "complete",
        "payment_status": "paid",
        "client_reference_id": str(user_id),
        "customer": customer_id,
        "subscription": subscription_id,
        "metadata": {"user_id": str(user_id)},
    }


def invoice_object(*, subscription_id: str, customer_id: str, paid: bool) -> dict[str, Any]:
    now = int(time.time())
    return {
        "id": f"in_test_{uuid.uuid4().hex[:16]}",
        "object": "invoice",
        "customer": customer_id,
        "status": "paid" if paid else "open",
        "parent": {
            "type": "subscription_details",
            "subscription_details": {"subscription": subscription_id},
        },
        "lines": {"object": "list", "data": [{"period": {"start": now, "end": now + 86_400}}]},
    }


def event_payload(event: stripe.Event) -> bytes:
    return json.dumps(event.to_dict()).encode()


def signature_header(
    payload: bytes, secret: str = DEFAULT_WEBHOOK_SECRET, timestamp: int | None = None
) -> str:
    return stripe.WebhookSignature.generate_signature_header(payload.decode(), secret, timestamp)


async def post_event(
    client: httpx.AsyncClient,
    event: stripe.Event,
    *,
    secret: str = DEFAULT_WEBHOOK_SECRET,
    timestamp: int | None = None,
) -> httpx.Response:
    payload = event_payload(event)
    return await client.post(
        "/v1/stripe/webhook",
        content=payload,
        headers={
            "Content-Type": "application/json",
            "Stripe-Signature": signature_header(payload, secret, timestamp),
        },
    )


# --- a customer's event history ------------------------------------------------------


@dataclass
class Customer:
    """What Stripe knows of a person, as its events carry it."""

    user_id: int
    email: str
    name: str
    customer_id: str
    subscription_id: str
    foreign_customer_id: str

    def needles(self) -> list[str]:
        return [self.email, self.name, self.customer_id, self.subscription_id]


async def seed_customer_events(client: httpx.AsyncClient, user_id: int, email: str) -> Customer:
    """A paid, then past-due, subscription, delivered as signed Stripe events, as Stripe
    sends them (with the customer's e-mail address and name), plus one that fails."""
    tag = uuid.uuid4().hex[:10]
    customer = Customer(
        user_id=user_id,
        email=email,
        name=f"Ada Customer{tag}",
        customer_id=f"cus_{tag}",
        subscription_id=f"sub_{tag}",
        foreign_customer_id=f"cus_other{tag}",
    )
    ids = {"customer_id": customer.customer_id, "subscription_id": customer.subscription_id}
    details = {"email": email, "name": customer.name, "address": {"country": "NL"}}
    checkout = checkout_session_object(user_id=user_id, **ids) | {
        "customer_email": email,
        "customer_details": details,
    }
    subscription = subscription_object(**ids, user_id=user_id, price_id=PRICE_MONTHLY)
    invoice_fields = {"customer_email": email, "customer_name": customer.name}
    events = [
        ("checkout.session.completed", checkout, 200),
        ("customer.subscription.created", subscription, 200),
        ("invoice.paid", invoice_object(**ids, paid=True) | invoice_fields, 200),
        ("invoice.payment_failed", invoice_object(**ids, paid=False) | invoice_fields, 200),
        # Our user id in metadata, someone else's customer: refused, stored with its reason.
        (
            "customer.subscription.updated",
            subscription_object(
                subscription_id=f"sub_other{tag}",
                customer_id=customer.foreign_customer_id,
                user_id=user_id,
            ),
            200,
        ),
    ]
    for created, (event_type, obj, status) in enumerate(events, start=1_700_000_000):
        response = await post_event(client, stripe_event(event_type, obj, created=created))
        assert response.status_code == status, response.text
    return customer


# --- fake Stripe API -------------------------------------------------------------------


@dataclass
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]
    form: dict[str, str]


@dataclass
class FakeStripe:
    """What the fake received, and what it should answer next."""

    base_url: str = ""
    requests: list[RecordedRequest] = field(default_factory=list)
    customers_by_key: dict[str, str] = field(default_factory=dict)
    fail_with: tuple[int, dict[str, Any]] | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)
    counter: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def calls(self, method: str, path: str) -> list[RecordedRequest]:
        return [r for r in self.requests if r.method == method and r.path == path]

    def respond(
        self, method: str, path: str, headers: dict[str, str]
    ) -> tuple[int, dict[str, Any]]:
        if self.fail_with is not None:
            return self.fail_with
        number = next(self.counter)
        if method == "POST" and path == "/v1/customers":
            # Like Stripe: a repeated idempotency key replays the first answer.
            key = headers.get("idempotency-key", f"none-{number}")
            customer_id = self.customers_by_key.setdefault(key, f"cus_fake_{number}")
            return 200, {"id": customer_id, "object": "customer"}
        if method == "POST" and path == "/v1/checkout/sessions":
            return 200, {
                "id": f"cs_fake_{number}",
                "object": "checkout.session",
                "url": f"https://checkout.stripe.test/c/pay/cs_fake_{number}",
            }
        if method == "POST" and path == "/v1/billing_portal/sessions":
            return 200, {
                "id": f"bps_fake_{number}",
                "object": "billing_portal.session",
                "url": f"https://billing.stripe.test/p/session/{number}",
            }
        if method == "DELETE" and path.startswith("/v1/subscriptions/"):
            return 200, {
                "id": path.rsplit("/", 1)[1],
                "object": "subscription",
                "status": "canceled",
            }
        return 404, {
            "error": {
                "type": "invalid_request_error",
                "code": "resource_missing",
                "message": f"No such route {method} {path}",
            }
        }


@contextmanager
def fake_stripe_server() -> Iterator[FakeStripe]:
    """A threaded HTTP server on 127.0.0.1 (random port) that answers like Stripe."""
    state = FakeStripe()

    class Handler(BaseHTTPRequestHandler):
        def _handle(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            body = self.rfile.read(length).decode() if length else ""
            path, _, query = self.path.partition("?")
            headers = {name.lower(): value for name, value in self.headers.items()}
            with state.lock:
                state.requests.append(
                    RecordedRequest(self.command, path, headers, dict(parse_qsl(body or query)))
                )
                status, answer = state.respond(self.command, path, headers)
            data = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_DELETE = _handle

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


# --- database views --------------------------------------------------------------------


async def subscription_row(app: Any, user_id: int) -> dict[str, Any]:
    from sqlalchemy import text

    async with app.state.database.engine.connect() as connection:
        result = await connection.execute(
            text("SELECT * FROM subscription WHERE user_id = :user_id"), {"user_id": user_id}
        )
        return dict(result.mappings().one())


async def stripe_event_rows(app: Any) -> list[dict[str, Any]]:
    from sqlalchemy import text

    async with app.state.database.engine.connect() as connection:
        result = await connection.execute(text("SELECT * FROM stripe_event ORDER BY id"))
        return [dict(row) for row in result.mappings()]
