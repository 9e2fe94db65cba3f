"""Billing tables: one subscription row per user, and every Stripe event received."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from insight_atlas.billing.plans import Plan, SubscriptionStatus
from insight_atlas.db import NEVER_REUSE_IDS, Base, BigIntegerId, UTCDateTime, utcnow


class Subscription(Base):
    __tablename__ = "subscription"
    __table_args__ = NEVER_REUSE_IDS

    id: Mapped[int] = mapped_column(BigIntegerId, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(
        BigIntegerId, ForeignKey("user.id", ondelete="CASCADE"), unique=True
    )
    plan: Mapped[str] = mapped_column(String(32), default=Plan.FREE)
    status: Mapped[str] = mapped_column(String(32), default=SubscriptionStatus.ACTIVE)
    stripe_customer_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    stripe_subscription_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    stripe_price_id: Mapped[str | None] = mapped_column(String(255))
    current_period_end: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    cancel_at_period_end: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=text("false")
    )
    # `created` of the newest subscription object applied (plan, price, period, cancel flag):
    # an older subscription event never overwrites them. Invoices do not move it.
    stripe_state_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # `created` of the newest event, of either kind, that set `status`.
    stripe_status_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # Set when the subscription turns past_due: paid features last until this instant.
    grace_period_ends_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class StripeEvent(Base):
    """A verified Stripe event: stored once per event id, handled at most once."""

    __tablename__ = "stripe_event"
    __table_args__ = NEVER_REUSE_IDS

    id: Mapped[int] = mapped_column(BigIntegerId, primary_key=True, autoincrement=True)
    stripe_event_id: Mapped[str] = mapped_column(String(255), unique=True)
    type: Mapped[str] = mapped_column(String(100))
    livemode: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    stripe_created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    payload: Mapped[str] = mapped_column(Text)
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    handled_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    last_error: Mapped[str | None] = mapped_column(Text)
    last_request_id: Mapped[str | None] = mapped_column(String(128))
    # An EventOutcome (billing/event_store.py); NULL before the first outcome.
    outcome: Mapped[str | None] = mapped_column(String(32))


class DeletedStripeCustomer(Base):
    """The SHA-256 of a deleted account's Stripe customer id, and nothing else.

    Stripe keeps sending events about a customer after the account is gone (the
    cancellation we request, a final invoice): this is how they are recognised as
    orphaned and acknowledged instead of failing for days. A hash, because the customer
    id itself is data about the person that deletion promises to drop.
    """

    __tablename__ = "deleted_stripe_customer"

    customer_id_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    deleted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
