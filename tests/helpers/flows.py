"""Helpers for tests that walk the assessment journey over HTTP."""

from __future__ import annotations

from typing import Any

import httpx
from fastapi import FastAPI

from helpers.api import bearer
from helpers.factory import set_plan
from insight_atlas.billing.plans import Plan
from insight_atlas.consent.ledger import CURRENT_CONSENT_VERSION
from insight_atlas.engine import load_instrument

SAMPLE_TEXT = (
    "I think we might try a new approach at work next month. I am happy with my team, "
    "although I sometimes worry that I take on too much. We always finish what we start."
)


def answers_for(instrument: str, value: int | None = None, *, pattern: int = 0) -> dict[str, int]:
    """Full answers: one fixed value, or a varied, attentive-looking pattern."""
    items = load_instrument(instrument).items
    if value is not None:
        return {item.id: value for item in items}
    return {item.id: (index * 7 + pattern) % 5 + 1 for index, item in enumerate(items)}


async def start(
    client: httpx.AsyncClient, token: str, instrument: str = "mini-ipip", **extra: Any
) -> httpx.Response:
    body = {"instrument": instrument, "consent_version": CURRENT_CONSENT_VERSION, **extra}
    return await client.post("/v1/assessments", json=body, headers=bearer(token))


async def complete_report(
    client: httpx.AsyncClient,
    token: str,
    instrument: str = "mini-ipip",
    *,
    pattern: int = 0,
    free_text: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """Start, answer everything, submit; returns the stored report document."""
    started = await start(client, token, instrument, **extra)
    assert started.status_code == 201, started.text
    assessment_id = started.json()["id"]
    answers = answers_for(instrument, pattern=pattern)
    if extra.get("include_work_style"):
        answers.update(answers_for("work-style", pattern=pattern))
    body: dict[str, Any] = {"answers": answers}
    if free_text is not None:
        body["free_text"] = free_text
    saved = await client.put(
        f"/v1/assessments/{assessment_id}/responses", json=body, headers=bearer(token)
    )
    assert saved.status_code == 200, saved.text
    submitted = await client.post(f"/v1/assessments/{assessment_id}/submit", headers=bearer(token))
    assert submitted.status_code == 201, submitted.text
    document: dict[str, Any] = submitted.json()
    return document


async def make_pro(app: FastAPI, user_id: int) -> None:
    """Put a user on Pro directly in the database (billing has its own tests)."""
    await set_plan(app, user_id, Plan.PRO_MONTHLY)
