"""Billing logic: plans, Stripe Checkout, the customer portal, cancellation on deletion.

These functions flush but never commit: the request's session dependency owns the transaction.
"""

from __future__ import annotations

import secrets

import stripe
from sqlalchemy.ext.asyncio import AsyncSession

from insight_atlas.accounts.models import User
from insight_atlas.billing import repository, sandbox_links
from insight_atlas.billing.errors import AlreadySubscribed, BillingProviderError, NoBillingAccount
from insight_atlas.billing.models import DeletedStripeCustomer, Subscription
from insight_atlas.billing.plans import (
    PLAN_ENTITLEMENTS,
    PLAN_PRICES,
    TERMINAL_STATUSES,
    Plan,
    SubscriptionStatus,
    has_live_paid_subscription,
)
from insight_atlas.billing.schemas import PlanRead
from insight_atlas.billing.stripe_client import stripe_client
from insight_atlas.billing.subscription_sync import customer_id_hash
from insight_atlas.db import utcnow
from insight_atlas.ops.logging import get_logger
from insight_atlas.settings import Settings

log = get_logger("insight_atlas.billing.service")


def list_plans() -> list[PlanRead]:
    return [
        PlanRead(
            key=key,
            name=price.name,
            amount_cents=price.amount_cents,
            currency=price.currency,
            interval=price.interval,
            entitlements=list(PLAN_ENTITLEMENTS[key]),
        )
        for key, price in PLAN_PRICES.items()
    ]


def price_id_for(settings: Settings, plan: str) -> str:
    prices: dict[str, str] = {
        Plan.PRO_MONTHLY: settings.stripe_price_pro_monthly,
        Plan.PRO_YEARLY: settings.stripe_price_pro_yearly,
    }
    return prices[plan]


def _web_url(settings: Settings, path: str) -> str:
    return settings.public_web_url.rstrip("/") + path


def success_url(settings: Settings) -> str:
    return _web_url(settings, "/account/billing?checkout=success&session_id={CHECKOUT_SESSION_ID}")


def cancel_url(settings: Settings) -> str:
    return _web_url(settings, "/account/billing?checkout=cancel")


def portal_return_url(settings: Settings) -> str:
    return _web_url(settings, "/account/billing")


async def start_free_plan(session: AsyncSession, user_id: int) -> Subscription:
    """A new account's subscription row: every account has one, on the Free plan until
    a checkout completes."""
    subscription = Subscription(user_id=user_id, plan=Plan.FREE, status=SubscriptionStatus.ACTIVE)
    session.add(subscription)
    await session.flush()
    return subscription


async def locked_subscription(session: AsyncSession, user_id: int) -> Subscription:
    row = await repository.subscription_row(session, user_id, lock=True)
    if row is None:  # every account gets its row at registration
        raise NoBillingAccount()
    return row


def _provider_error(action: str, exc: stripe.StripeError) -> BillingProviderError:
    log.warning(
        "stripe_call_failed",
        action=action,
        error=type(exc).__name__,
        stripe_code=exc.code,
        http_status=exc.http_status,
    )
    return BillingProviderError()


async def _ensure_customer(
    client: stripe.StripeClient, user: User, row: Subscription, session: AsyncSession
) -> str:
    if row.stripe_customer_id:
        return row.stripe_customer_id
    # The same key for every attempt of this user: a double click or a retry after a
    # timeout gets the customer Stripe already made instead of a second one.
    idempotency_key = f"atlas-customer-{user.id}-{int(user.created_at.timestamp())}"
    customer = await client.v1.customers.create_async(
        {"email": user.email, "metadata": {"user_id": str(user.id)}},
        {"idempotency_key": idempotency_key},
    )
    row.stripe_customer_id = customer.id
    await session.flush()
    return customer.id


async def start_checkout(session: AsyncSession, settings: Settings, user: User, plan: str) -> str:
    """The URL of a subscription checkout for `plan`; refused when already subscribed."""
    row = await locked_subscription(session, user.id)
    if has_live_paid_subscription(row.plan, row.status):
        raise AlreadySubscribed()
    if settings.billing_mode == "sandbox":
        if row.stripe_customer_id is None:
            row.stripe_customer_id = f"cus_sandbox_{secrets.token_hex(12)}"
            await session.flush()
        claims = {"user_id": user.id, "plan": plan, "customer": row.stripe_customer_id}
        return sandbox_links.link(settings, sandbox_links.CHECKOUT, claims, utcnow())
    metadata = {"user_id": str(user.id), "plan": plan}
    try:
        async with stripe_client(settings) as client:
            customer_id = await _ensure_customer(client, user, row, session)
            checkout = await client.v1.checkout.sessions.create_async(
                {
                    "mode": "subscription",
                    "customer": customer_id,
                    # How the completed checkout finds the user: our id, never the e-mail.
                    "client_reference_id": str(user.id),
                    "line_items": [{"price": price_id_for(settings, plan), "quantity": 1}],
                    "success_url": success_url(settings),
                    "cancel_url": cancel_url(settings),
                    "metadata": metadata,
                    "subscription_data": {"metadata": metadata},
                }
            )
    except stripe.StripeError as exc:
        raise _provider_error("checkout", exc) from exc
    if not checkout.url:
        raise BillingProviderError()
    log.info("checkout_started", user_id=user.id, plan=plan, checkout_session_id=checkout.id)
    return checkout.url


async def open_portal(session: AsyncSession, settings: Settings, user: User) -> str:
    """The URL of the customer portal (change plan, update card, cancel)."""
    row = await repository.subscription_row(session, user.id)
    if row is None or row.stripe_customer_id is None:
        raise NoBillingAccount()
    if settings.billing_mode == "sandbox":
        claims = {"user_id": user.id, "customer": row.stripe_customer_id}
        return sandbox_links.link(settings, sandbox_links.PORTAL, claims, utcnow())
    try:
        async with stripe_client(settings) as client:
            portal = await client.v1.billing_portal.sessions.create_async(
                {"customer": row.stripe_customer_id, "return_url": portal_return_url(settings)}
            )
    except stripe.StripeError as exc:
        raise _provider_error("portal", exc) from exc
    return portal.url


async def cancel_subscription_for_account_deletion(
    session: AsyncSession, settings: Settings, user_id: int
) -> None:
    """Cancel the Stripe subscription now, before the account is deleted.

    Raises BillingProviderError (503) when Stripe refuses, so the caller can abort the
    deletion rather than leave a subscription that keeps charging a deleted account.
    """
    row = await repository.subscription_row(session, user_id, lock=True)
    if row is not None and row.stripe_customer_id is not None:
        # Stripe's later events about this customer (the cancellation below, a last
        # invoice) are then acknowledged as orphaned instead of failing for days.
        hashed = customer_id_hash(row.stripe_customer_id)
        await session.merge(DeletedStripeCustomer(customer_id_sha256=hashed))
    if row is None or row.stripe_subscription_id is None or row.status in TERMINAL_STATUSES:
        return
    subscription_id = row.stripe_subscription_id
    if settings.billing_mode == "stripe":
        try:
            async with stripe_client(settings) as client:
                await client.v1.subscriptions.cancel_async(
                    subscription_id,
                    options={"idempotency_key": f"atlas-cancel-{subscription_id}"},
                )
        except stripe.InvalidRequestError as exc:
            # Already gone in Stripe: nothing left that could charge the person.
            if exc.code != "resource_missing":
                raise _provider_error("cancel_for_deletion", exc) from exc
        except stripe.StripeError as exc:
            raise _provider_error("cancel_for_deletion", exc) from exc
    row.status = SubscriptionStatus.CANCELED
    row.cancel_at_period_end = False
    row.grace_period_ends_at = None
    await session.flush()
    log.info("subscription_canceled_for_deletion", user_id=user_id, subscription_id=subscription_id)
