"""HTTP endpoints of billing: /v1/billing/* and the Stripe webhook."""

from __future__ import annotations

from fastapi import APIRouter, Request

from insight_atlas.accounts.dependencies import CurrentPrincipal
from insight_atlas.billing import service, stripe_webhook
from insight_atlas.billing.schemas import CheckoutRequest, PlanRead, RedirectUrl, WebhookReceipt
from insight_atlas.db import SessionDep
from insight_atlas.services import Services, ServicesDep
from insight_atlas.validation import CheckedRoute

router = APIRouter(prefix="/v1", tags=["billing"], route_class=CheckedRoute)


@router.get("/billing/plans", response_model=list[PlanRead], operation_id="listPlans")
async def list_plans() -> list[PlanRead]:
    """Plans with their prices, billing intervals and entitlements."""
    return service.list_plans()


@router.post("/billing/checkout", response_model=RedirectUrl, operation_id="startCheckout")
async def start_checkout(
    body: CheckoutRequest, principal: CurrentPrincipal, session: SessionDep, services: ServicesDep
) -> RedirectUrl:
    """A Stripe Checkout URL for a Pro subscription; 409 when already subscribed."""
    url = await service.start_checkout(session, services, principal.user, body.plan)
    return RedirectUrl(url=url)


@router.post("/billing/portal", response_model=RedirectUrl, operation_id="openBillingPortal")
async def open_portal(
    principal: CurrentPrincipal, session: SessionDep, services: ServicesDep
) -> RedirectUrl:
    """A Stripe customer-portal URL to change plan, update the card or cancel."""
    url = await service.open_portal(session, services, principal.user)
    return RedirectUrl(url=url)


@router.post("/stripe/webhook", response_model=WebhookReceipt, operation_id="stripeWebhook")
async def stripe_webhook_endpoint(request: Request) -> WebhookReceipt:
    """Stripe events: signature-verified on the raw body, stored once, handled once."""
    # No session or services dependency: the delivery runs its own transaction (see
    # stripe_webhook.process_delivery), and a sync dependency would cost a thread hop.
    services: Services = request.app.state.services
    payload = await request.body()
    signature = request.headers.get("stripe-signature")
    return await stripe_webhook.process_delivery(
        services.engine, services.settings, payload, signature
    )
