"""Request and response bodies of /v1/billing and /v1/stripe/webhook."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from insight_atlas.billing.plans import Plan
from insight_atlas.validation import RequestModel


class PlanRead(BaseModel):
    key: str = Field(description="free, pro_monthly or pro_yearly.")
    name: str
    amount_cents: int = Field(description="Price per interval in the smallest currency unit.")
    currency: str
    interval: str | None = Field(description="month, year, or null for Free.")
    entitlements: list[str]


class CheckoutRequest(RequestModel):
    plan: Literal[Plan.PRO_MONTHLY, Plan.PRO_YEARLY]


class RedirectUrl(BaseModel):
    url: str = Field(description="Send the browser here.")


class WebhookReceipt(BaseModel):
    status: Literal["handled", "duplicate", "ignored", "orphaned", "refused"] = Field(
        description="handled; duplicate (handled before); ignored (a type we do not handle);"
        " orphaned (its account was deleted); refused (names another account's billing)."
    )
    event_id: str
