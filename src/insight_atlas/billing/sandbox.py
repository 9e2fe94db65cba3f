"""Sandbox checkout and portal pages: stand-ins for Stripe when no STRIPE_SECRET_KEY is set.

Reachable only with a signed, expiring link (sandbox_links) and only in sandbox mode.
Every change goes out as a signed Stripe-format event to /v1/stripe/webhook, so the
same verification and handlers run as in production; nothing here writes a plan.
Plain HTML forms: works without JavaScript.
"""

from __future__ import annotations

import datetime as dt
import html
from functools import cache
from importlib import resources
from string import Template
from typing import Any
from urllib.parse import parse_qs, urlsplit

from fastapi import APIRouter, Request
from sqlalchemy import select
from starlette.responses import HTMLResponse, RedirectResponse, Response

from insight_atlas.billing import sandbox_events, sandbox_links, service
from insight_atlas.billing.errors import SandboxLinkInvalid
from insight_atlas.billing.models import Subscription
from insight_atlas.billing.plans import (
    PAID_PLANS,
    PLAN_PRICES,
    TERMINAL_STATUSES,
    SubscriptionStatus,
    has_live_paid_subscription,
)
from insight_atlas.db import Database, DatabaseDep, utcnow
from insight_atlas.settings import Settings, SettingsDep
from insight_atlas.validation import CheckedRoute

router = APIRouter(
    prefix="/v1/billing/sandbox",
    tags=["billing"],
    include_in_schema=False,
    route_class=CheckedRoute,
)


@cache
def _page_template() -> Template:
    text = resources.files("insight_atlas.billing").joinpath("templates/sandbox_page.html")
    return Template(text.read_text(encoding="utf-8"))


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _page(settings: Settings, title: str, content: str, status_code: int = 200) -> HTMLResponse:
    body = _page_template().substitute(title=html.escape(title), content=content)
    # Its own policy (the global default forbids styles and forms); the form may post here
    # and redirect to the web app.
    policy = (
        "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; frame-ancestors 'none';"
        f" form-action 'self' {_origin(settings.public_api_url)} {_origin(settings.public_web_url)}"
    )
    return HTMLResponse(
        body,
        status_code=status_code,
        headers={"Content-Security-Policy": policy, "Cache-Control": "no-store"},
    )


def _price_text(plan: str) -> str:
    price = PLAN_PRICES[plan]
    return f"${price.amount_cents / 100:,.2f} per {price.interval}"


async def _form(request: Request) -> dict[str, str]:
    fields = parse_qs((await request.body()).decode("utf-8", "replace"), max_num_fields=10)
    return {name: values[0] for name, values in fields.items()}


async def _row(database: Database, claims: dict[str, Any]) -> Subscription:
    """The subscription row a link was made for; 404 once its account is gone.

    The link names the user's id and the customer id stored on the row when the link was
    made (a random one in the sandbox). The customer goes with the account, so a link of a
    deleted account never reaches a later account, even one given the same id.
    """
    # A short read of its own: no transaction stays open while events are delivered.
    async with database.sessionmaker() as session:
        row = await session.scalar(
            select(Subscription).where(
                Subscription.user_id == int(claims["user_id"]),
                Subscription.stripe_customer_id == str(claims["customer"]),
            )
        )
    if row is None:
        raise SandboxLinkInvalid()
    return row


def _hidden_token(token: str) -> str:
    return f'<input type="hidden" name="token" value="{html.escape(token)}">'


@router.get("/checkout", response_class=HTMLResponse, operation_id="sandboxCheckoutPage")
async def checkout_page(token: str, settings: SettingsDep, database: DatabaseDep) -> Response:
    """The sandbox checkout page: plan, price, Pay and Cancel."""
    claims = sandbox_links.verify(settings, token, sandbox_links.CHECKOUT, utcnow())
    await _row(database, claims)
    plan = str(claims["plan"])
    content = (
        f"<dl><dt>Plan</dt><dd>{html.escape(PLAN_PRICES[plan].name)}</dd>"
        f'<dt>Price</dt><dd class="price">{html.escape(_price_text(plan))}</dd></dl>'
        '<form method="post" action="/v1/billing/sandbox/checkout">'
        f"{_hidden_token(token)}"
        '<button type="submit" class="primary" name="action" value="pay">'
        f"Pay {html.escape(_price_text(plan))}</button>"
        '<button type="submit" name="action" value="cancel">Cancel</button>'
        "</form>"
    )
    return _page(settings, f"Subscribe to {PLAN_PRICES[plan].name}", content)


@router.post("/checkout", operation_id="sandboxCheckoutSubmit")
async def checkout_submit(
    request: Request, settings: SettingsDep, database: DatabaseDep
) -> Response:
    """Pay (emits checkout.session.completed, customer.subscription.created, invoice.paid)."""
    form = await _form(request)
    claims = sandbox_links.verify(settings, form.get("token", ""), sandbox_links.CHECKOUT, utcnow())
    if form.get("action") != "pay":
        return RedirectResponse(service.cancel_url(settings), status_code=303)
    user_id, nonce = int(claims["user_id"]), str(claims["nonce"])
    row = await _row(database, claims)
    if has_live_paid_subscription(row.plan, row.status) and (
        row.stripe_subscription_id != f"sub_sandbox_{nonce}"
    ):
        content = "<p>This account already has a paid subscription; nothing was charged.</p>"
        return _page(settings, "Already subscribed", content, status_code=409)
    events = sandbox_events.checkout_events(
        settings,
        nonce=nonce,
        user_id=user_id,
        customer_id=str(claims["customer"]),
        plan=str(claims["plan"]),
        now=utcnow(),
    )
    await sandbox_events.deliver(request.app, settings, events)
    success = service.success_url(settings).replace("{CHECKOUT_SESSION_ID}", f"cs_sandbox_{nonce}")
    return RedirectResponse(success, status_code=303)


def _portal_content(token: str, row: Subscription) -> str:
    live = has_live_paid_subscription(row.plan, row.status)
    period_end = row.current_period_end.strftime("%Y-%m-%d") if row.current_period_end else "–"
    plan_name = PLAN_PRICES[row.plan].name if live else "Free"
    parts = [
        f"<dl><dt>Plan</dt><dd>{html.escape(plan_name)}</dd>"
        f"<dt>Status</dt><dd>{html.escape(row.status)}</dd>"
        f"<dt>Current period ends</dt><dd>{html.escape(period_end)}</dd></dl>"
    ]
    if not live:
        parts.append("<p>There is no active subscription to manage.</p>")
        return "".join(parts)
    options = "".join(
        f'<label><input type="radio" name="plan" value="{plan}"'
        f"{' checked' if plan == row.plan else ''}> {html.escape(PLAN_PRICES[plan].name)}"
        f" ({html.escape(_price_text(plan))})</label><br>"
        for plan in PAID_PLANS
    )
    form = f'<form method="post" action="/v1/billing/sandbox/portal">{_hidden_token(token)}'
    parts.append(
        f"{form}<fieldset><legend>Change plan</legend>{options}</fieldset>"
        '<button type="submit" name="action" value="switch">Switch plan</button></form>'
        f"{form}"
        '<button type="submit" name="action" value="cancel">Cancel subscription now</button>'
        '<button type="submit" name="action" value="fail_payment">'
        "Simulate a failed payment</button>"
        '<button type="submit" name="action" value="pay">Simulate a successful payment</button>'
        "</form>"
    )
    return "".join(parts)


@router.get("/portal", response_class=HTMLResponse, operation_id="sandboxPortalPage")
async def portal_page(token: str, settings: SettingsDep, database: DatabaseDep) -> Response:
    """The sandbox customer portal: switch plan, cancel, simulate payments."""
    claims = sandbox_links.verify(settings, token, sandbox_links.PORTAL, utcnow())
    row = await _row(database, claims)
    return _page(settings, "Manage your subscription", _portal_content(token, row))


def _portal_events(
    settings: Settings, row: Subscription, form: dict[str, str], now: dt.datetime
) -> list[sandbox_events.Event]:
    action = form.get("action")
    plan = form.get("plan", row.plan) if action == "switch" else row.plan
    if plan not in PAID_PLANS or row.stripe_subscription_id is None or not row.stripe_customer_id:
        raise SandboxLinkInvalid()
    created = int(now.timestamp())
    # Each portal action happens after the one before, as in Stripe, whose events then
    # carry a later second; two clicks within one second must not be left for the
    # same-second ordering rule to decide.
    applied = [at for at in (row.stripe_state_at, row.stripe_status_at) if at is not None]
    if applied:
        created = max(created, int(max(applied).timestamp()) + 1)
    actions: dict[str, str] = {
        "cancel": SubscriptionStatus.CANCELED,
        "fail_payment": SubscriptionStatus.PAST_DUE,
        "pay": SubscriptionStatus.ACTIVE,
    }
    status = actions.get(action or "", row.status)
    period_start = int((row.current_period_end or now).timestamp()) - (
        sandbox_events.PERIOD_DAYS[PLAN_PRICES[row.plan].interval or "month"] * 86_400
    )
    subscription: dict[str, Any] = sandbox_events.subscription_object(
        settings,
        subscription_id=row.stripe_subscription_id,
        customer_id=row.stripe_customer_id,
        user_id=row.user_id,
        plan=plan,
        status=status,
        created=created,
        period_start=period_start if plan == row.plan else created,
    )
    new_id = sandbox_events.new_event_id
    if action == "cancel":
        return [
            sandbox_events.event(new_id(), "customer.subscription.deleted", created, subscription)
        ]
    if action in ("fail_payment", "pay"):
        invoice = sandbox_events.invoice_object(
            invoice_id=f"in_sandbox_{new_id().removeprefix('evt_sandbox_')}",
            customer_id=row.stripe_customer_id,
            subscription=subscription,
            paid=action == "pay",
            billing_reason="subscription_cycle",
        )
        invoice_type = "invoice.paid" if action == "pay" else "invoice.payment_failed"
        return [
            sandbox_events.event(new_id(), invoice_type, created, invoice),
            sandbox_events.event(new_id(), "customer.subscription.updated", created, subscription),
        ]
    return [sandbox_events.event(new_id(), "customer.subscription.updated", created, subscription)]


@router.post("/portal", operation_id="sandboxPortalSubmit")
async def portal_submit(request: Request, settings: SettingsDep, database: DatabaseDep) -> Response:
    """Portal actions, each sent as the signed events Stripe would send."""
    form = await _form(request)
    claims = sandbox_links.verify(settings, form.get("token", ""), sandbox_links.PORTAL, utcnow())
    row = await _row(database, claims)
    if row.status in TERMINAL_STATUSES:
        raise SandboxLinkInvalid()
    events = _portal_events(settings, row, form, utcnow())
    await sandbox_events.deliver(request.app, settings, events)
    return RedirectResponse(service.portal_return_url(settings), status_code=303)
