"""Immutable reports (the engine's document, encrypted) and their share links."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from insight_atlas.db import NEVER_REUSE_IDS, Base, BigIntegerId, UTCDateTime, utcnow


class Report(Base):
    __tablename__ = "report"
    __table_args__ = (Index("ix_report_user_id_created_at", "user_id", "created_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    user_id: Mapped[int] = mapped_column(BigIntegerId, ForeignKey("user.id", ondelete="CASCADE"))
    assessment_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("assessment.id", ondelete="CASCADE"), unique=True
    )
    instrument_key: Mapped[str] = mapped_column(String(64))
    instrument_version: Mapped[str] = mapped_column(String(32))
    engine_version: Mapped[str] = mapped_column(String(32))
    norms_version: Mapped[str] = mapped_column(String(64))
    validity: Mapped[str] = mapped_column(String(16))
    # The engine's report JSON, byte for byte, encrypted: it quotes the free text.
    body_ciphertext: Mapped[bytes] = mapped_column(LargeBinary)
    body_sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class ShareLink(Base):
    __tablename__ = "share_link"
    __table_args__ = (Index("ix_share_link_report_id", "report_id"), NEVER_REUSE_IDS)

    id: Mapped[int] = mapped_column(BigIntegerId, primary_key=True, autoincrement=True)
    report_id: Mapped[str] = mapped_column(String(36), ForeignKey("report.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(BigIntegerId, ForeignKey("user.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
