"""Billing tables: one subscription row per user, and every Stripe event received."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from insight_atlas.db import NEVER_REUSE_IDS, Base, BigIntegerId, UTCDateTime, utcnow

PLAN_FREE = "free"
STATUS_ACTIVE = "active"


class Subscription(Base):
    __tablename__ = "subscription"
    __table_args__ = NEVER_REUSE_IDS

    id: Mapped[int] = mapped_column(BigIntegerId, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(
        BigIntegerId, ForeignKey("user.id", ondelete="CASCADE"), unique=True
    )
    plan: Mapped[str] = mapped_column(String(32), default=PLAN_FREE)
    status: Mapped[str] = mapped_column(String(32), default=STATUS_ACTIVE)
    stripe_customer_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    stripe_subscription_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    stripe_price_id: Mapped[str | None] = mapped_column(String(255))
    current_period_end: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    cancel_at_period_end: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=text("false")
    )
    # `created` of the newest Stripe event applied: older events never overwrite newer state.
    stripe_state_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
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
