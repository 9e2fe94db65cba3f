"""The subscription table: one row per user, the plan and Stripe's view of it."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, ForeignKey, String, text
from sqlalchemy.orm import Mapped, mapped_column

from insight_atlas.db import Base, BigIntegerId, UTCDateTime, utcnow

PLAN_FREE = "free"
STATUS_ACTIVE = "active"


class Subscription(Base):
    __tablename__ = "subscription"

    id: Mapped[int] = mapped_column(BigIntegerId, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(
        BigIntegerId, ForeignKey("user.id", ondelete="CASCADE"), unique=True
    )
    plan: Mapped[str] = mapped_column(String(32), default=PLAN_FREE)
    status: Mapped[str] = mapped_column(String(32), default=STATUS_ACTIVE)
    stripe_customer_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    stripe_subscription_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    current_period_end: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    cancel_at_period_end: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=text("false")
    )
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
