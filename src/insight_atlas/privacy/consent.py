"""The consent text a person accepts before an assessment, versioned."""

from __future__ import annotations

ASSESSMENT_PURPOSE = "assessment"
CURRENT_CONSENT_VERSION = "2026-11-01"
CONSENT_TEXT = (
    "I agree that Insight Atlas stores my answers, optional free text, optional sex and age, "
    "and the report computed from them, to show me that report and my history. My free text "
    "is encrypted at rest and never shared. The report is a self-reflection aid, not a "
    "diagnosis, and is not a substitute for professional advice. I can export or delete "
    "this data at any time, and share a report only if I choose to."
)
