"""Consent texts, versioned per purpose, and the ledger rows that record agreement."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from insight_atlas.consent.models import ConsentRecord
from insight_atlas.db import utcnow

ASSESSMENT_PURPOSE = "assessment"
CURRENT_CONSENT_VERSION = "2026-11-01"
CONSENT_TEXT = (
    "I agree that Insight Atlas stores my answers, optional free text, optional sex and age, "
    "and the report computed from them, to show me that report and my history. My free text "
    "is encrypted at rest and never shared. The report is a self-reflection aid, not a "
    "diagnosis, and is not a substitute for professional advice. I can export or delete "
    "this data at any time, and share a report only if I choose to."
)


def record_consent(
    session: AsyncSession,
    *,
    user_id: int,
    purpose: str,
    version: str,
    ip_address: str,
    user_agent: str | None,
) -> ConsentRecord:
    """A ledger row for consent given now (flushed with the caller's transaction)."""
    consent = ConsentRecord(
        user_id=user_id,
        purpose=purpose,
        version=version,
        accepted_at=utcnow(),
        ip_address=ip_address[:64],
        user_agent=(user_agent or "")[:300] or None,
    )
    session.add(consent)
    return consent
