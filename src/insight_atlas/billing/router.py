"""HTTP endpoints of billing: /v1/billing/* and the Stripe webhook."""

from __future__ import annotations

from fastapi import APIRouter, Request

from insight_atlas.accounts.dependencies import CurrentPrincipal
from insight_atlas.billing import errors, service, stripe_webhook
from insight_atlas.billing.schemas import CheckoutRequest, PlanRead, RedirectUrl, WebhookReceipt
from insight_atlas.db import Database, SessionDep
from insight_atlas.errors import error_responses
from insight_atlas.settings import Settings, SettingsDep
from insight_atlas.validation import CheckedRoute

router = APIRouter(prefix="/v1", tags=["billing"], route_class=CheckedRoute)


@router.get("/billing/plans", response_model=list[PlanRead], operation_id="listPlans")
async def list_plans() -> list[PlanRead]:
    """Plans with their prices, billing intervals and entitlements."""
    return service.list_plans()


@router.post(
    "/billing/checkout",
    response_model=RedirectUrl,
    operation_id="startCheckout",
    responses=error_responses(
        errors.AlreadySubscribed, errors.NoBillingAccount, errors.BillingProviderError
    ),
)
async def start_checkout(
    body: CheckoutRequest, principal: CurrentPrincipal, session: SessionDep, settings: SettingsDep
) -> RedirectUrl:
    """A Stripe Checkout URL for a Pro subscription; 409 when already subscribed."""
    url = await service.start_checkout(session, settings, principal.user, body.plan)
    return RedirectUrl(url=url)


@router.post(
    "/billing/portal",
    response_model=RedirectUrl,
    operation_id="openBillingPortal",
    responses=error_responses(errors.NoBillingAccount, errors.BillingProviderError),
)
async def open_portal(
    principal: CurrentPrincipal, session: SessionDep, settings: SettingsDep
) -> RedirectUrl:
    """A Stripe customer-portal URL to change plan, update the card or cancel."""
    url = await service.open_portal(session, settings, principal.user)
    return RedirectUrl(url=url)


@router.post(
    "/stripe/webhook",
    response_model=WebhookReceipt,
    operation_id="stripeWebhook",
    responses=error_responses(
        errors.MissingSignature,
        errors.InvalidSignature,
        errors.InvalidPayload,
        errors.WebhookHandlerFailed,
    ),
)
async def stripe_webhook_endpoint(request: Request) -> WebhookReceipt:
    """Stripe events: signature-verified on the raw body, stored once, handled once."""
    # No dependencies at all: the delivery runs its own transaction (see
    # stripe_webhook.process_delivery), and each dependency costs time on a path Stripe
    # times out.
    state = request.app.state
    database: Database = state.database
    settings: Settings = state.settings
    payload = await request.body()
    signature = request.headers.get("stripe-signature")
    return await stripe_webhook.process_delivery(database.engine, settings, payload, signature)
