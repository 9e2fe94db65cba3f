"""Assessments in progress, the immutable reports they produce, and share links."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, LargeBinary, String, text
from sqlalchemy.orm import Mapped, mapped_column

from insight_atlas.db import NEVER_REUSE_IDS, Base, BigIntegerId, UTCDateTime, utcnow

STATUS_IN_PROGRESS = "in_progress"
STATUS_SUBMITTED = "submitted"


class Assessment(Base):
    __tablename__ = "assessment"
    __table_args__ = (Index("ix_assessment_user_id_created_at", "user_id", "created_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    user_id: Mapped[int] = mapped_column(BigIntegerId, ForeignKey("user.id", ondelete="CASCADE"))
    instrument_key: Mapped[str] = mapped_column(String(64))
    instrument_version: Mapped[str] = mapped_column(String(32))
    include_work_style: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=text("false")
    )
    status: Mapped[str] = mapped_column(String(16), default=STATUS_IN_PROGRESS)
    consent_id: Mapped[int | None] = mapped_column(
        BigIntegerId, ForeignKey("consent_record.id", ondelete="SET NULL")
    )
    sex: Mapped[str | None] = mapped_column(String(16))
    age: Mapped[int | None] = mapped_column(Integer)
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    timings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Free text is sensitive: only its ciphertext (Fernet) is stored.
    free_text_ciphertext: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


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
