"""The stored plain-language rewrite of a report's narrative (reports/rewrite.py).

Kept beside the report, never in it: the report stays byte for byte what the engine
produced, and the rewrite can be deleted on its own.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from insight_atlas.db import Base, BigIntegerId, UTCDateTime, utcnow


class ReportRewrite(Base):
    __tablename__ = "report_rewrite"
    __table_args__ = (Index("ix_report_rewrite_user_id", "user_id"),)

    # One rewrite per report: asking again replaces it.
    report_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("report.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(BigIntegerId, ForeignKey("user.id", ondelete="CASCADE"))
    consent_id: Mapped[int | None] = mapped_column(
        BigIntegerId, ForeignKey("consent_record.id", ondelete="SET NULL")
    )
    model: Mapped[str] = mapped_column(String(200))
    endpoint_host: Mapped[str] = mapped_column(String(255))
    prompt_version: Mapped[str] = mapped_column(String(32))
    # {statement id: rewritten text} as JSON, encrypted like the report body it restates.
    statements_ciphertext: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
