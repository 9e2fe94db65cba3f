"""The consent ledger: who agreed to what, which text version, when and from where."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from insight_atlas.db import NEVER_REUSE_IDS, Base, BigIntegerId, UTCDateTime, utcnow


class ConsentRecord(Base):
    __tablename__ = "consent_record"
    __table_args__ = (Index("ix_consent_record_user_id", "user_id"), NEVER_REUSE_IDS)

    id: Mapped[int] = mapped_column(BigIntegerId, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(BigIntegerId, ForeignKey("user.id", ondelete="CASCADE"))
    purpose: Mapped[str] = mapped_column(String(64))
    version: Mapped[str] = mapped_column(String(32))
    accepted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    ip_address: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(300))
