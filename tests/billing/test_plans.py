"""The plan matrix: pure functions of plan, status, grace period and "now"."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from insight_atlas.billing.entitlements import plan_needed_for
from insight_atlas.billing.plans import (
    FREE_ENTITLEMENTS,
    PLAN_ENTITLEMENTS,
    PRO_ENTITLEMENTS,
    effective_plan,
    entitlements_for,
)

NOW = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC)
DOCS = Path(__file__).resolve().parents[2] / "docs" / "ENTITLEMENTS.md"


@pytest.mark.parametrize(
    ("plan", "status", "expected"),
    [
        ("free", "active", "free"),
        ("pro_monthly", "active", "pro_monthly"),
        ("pro_yearly", "trialing", "pro_yearly"),
        ("pro_monthly", "canceled", "free"),
        ("pro_monthly", "unpaid", "free"),
        ("pro_monthly", "incomplete", "free"),
        ("pro_monthly", "incomplete_expired", "free"),
        ("enterprise", "active", "free"),
    ],
)
def test_effective_plan_by_status(plan: str, status: str, expected: str) -> None:
    assert effective_plan(plan, status, now=NOW) == expected


def test_past_due_is_pro_only_inside_the_grace_period() -> None:
    ends = NOW + dt.timedelta(days=1)
    assert effective_plan("pro_monthly", "past_due", grace_period_ends_at=ends, now=NOW) == (
        "pro_monthly"
    )
    assert effective_plan("pro_monthly", "past_due", grace_period_ends_at=NOW, now=NOW) == "free"
    # No grace period recorded, or no clock given: a failed payment buys nothing.
    assert effective_plan("pro_monthly", "past_due", now=NOW) == "free"
    assert effective_plan("pro_monthly", "past_due", grace_period_ends_at=ends) == "free"


def test_privacy_rights_are_never_paywalled_and_pro_is_a_superset() -> None:
    for plan in PLAN_ENTITLEMENTS:
        for status in ("active", "canceled", "past_due", "unpaid"):
            granted = entitlements_for(plan, status, now=NOW)
            assert {"privacy:export", "privacy:delete"} <= set(granted)
    assert set(FREE_ENTITLEMENTS) < set(PRO_ENTITLEMENTS)
    assert plan_needed_for("reports:share") == "pro_monthly"
    assert plan_needed_for("instrument:work-style") == "free"


def test_the_documented_matrix_matches_the_code() -> None:
    rows = {}
    for line in DOCS.read_text(encoding="utf-8").splitlines():
        match = re.match(r"\|\s*`([a-z-]+:[a-z0-9-]+)`\s*\|\s*(\S+)\s*\|\s*(\S+)\s*\|", line)
        if match:
            rows[match.group(1)] = (match.group(2) == "yes", match.group(3) == "yes")
    assert set(rows) == set(PRO_ENTITLEMENTS)
    for name, (free, pro) in rows.items():
        assert free == (name in FREE_ENTITLEMENTS), name
        assert pro == (name in PRO_ENTITLEMENTS), name
