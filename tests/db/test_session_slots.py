"""Admission to database sessions: first come first served, bounded in time."""

from __future__ import annotations

import asyncio
import dataclasses
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from helpers.api import CLIENT_IP, assert_error, bearer, signed_in_user
from helpers.databases import make_settings
from helpers.flows import answers_for
from insight_atlas.app import create_app
from insight_atlas.assessments.worker_pool import ReportScorer
from insight_atlas.consent.ledger import CURRENT_CONSENT_VERSION
from insight_atlas.settings import Settings


async def test_the_default_pool_keeps_every_connection_it_admits(
    database_url: str, tmp_path: Path
) -> None:
    # Overflow connections are closed when returned to a full pool: with admission above
    # the kept-open size, steady load just above it would reconnect all the time.
    fields = Settings.model_fields
    pool_size, overflow = fields["db_pool_size"].default, fields["db_max_overflow"].default
    assert overflow == 0
    defaults = make_settings(
        database_url, tmp_path / "data", db_pool_size=pool_size, db_max_overflow=overflow
    )
    slots: asyncio.Semaphore = create_app(defaults).state.database.slots
    # SQLite lets one writer in at a time: one request at a time, in arrival order.
    admitted = 1 if database_url.startswith("sqlite") else pool_size
    for _ in range(admitted):
        assert not slots.locked()
        await slots.acquire()
    assert slots.locked()


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    """One database slot, and a short wait for it (the shared app and client use these)."""
    return make_settings(
        database_url,
        tmp_path / "data",
        db_pool_size=1,
        db_max_overflow=0,
        db_pool_timeout_seconds=0.3,
    )


@pytest.fixture
async def headers(client: httpx.AsyncClient) -> dict[str, str]:
    _, issued = await signed_in_user(client)
    return bearer(issued["access_token"])


async def test_a_request_waits_for_a_slot_then_gets_503_with_retry_after(
    app: FastAPI, client: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    slots: asyncio.Semaphore = app.state.database.slots

    await slots.acquire()  # another request holds the only connection
    try:
        busy = await asyncio.wait_for(client.get("/v1/me", headers=headers), 5)
    finally:
        slots.release()
    assert_error(busy, 503, "database_busy")
    assert busy.headers["Retry-After"] == "1"

    # Freed within the wait: the waiting request is served.
    await slots.acquire()
    waiting = asyncio.create_task(client.get("/v1/me", headers=headers))
    await asyncio.sleep(0.1)
    assert not waiting.done()
    slots.release()
    assert (await waiting).status_code == 200

    # Every request gave its slot back, whatever its outcome.
    assert (await client.get("/v1/reports/not-an-id", headers=headers)).status_code == 404
    assert not slots.locked()
    await asyncio.wait_for(slots.acquire(), 1)  # the one slot, free again
    slots.release()


async def test_waiting_requests_are_served_in_arrival_order(
    app: FastAPI, client: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    slots: asyncio.Semaphore = app.state.database.slots
    # Order is under test here, not the time limit: a slow machine must not turn a
    # queued request into a 503 (the fixture's 0.3 s is for the 503 test above).
    app.state.database = dataclasses.replace(app.state.database, slot_timeout_seconds=10.0)
    finished: list[int] = []

    async def call(number: int) -> None:
        response = await client.get("/v1/me", headers=headers)
        assert response.status_code == 200, response.text
        finished.append(number)

    await slots.acquire()
    tasks = []
    for number in range(4):
        tasks.append(asyncio.create_task(call(number)))
        await asyncio.sleep(0.02)  # each one queued before the next arrives
    slots.release()
    await asyncio.gather(*tasks)
    assert finished == [0, 1, 2, 3]


class _HeldScoring:
    """Stands in for the scoring worker's wait: scoring resumes when released."""

    def __init__(self, scorer: ReportScorer) -> None:
        self._score = scorer.score
        self.entered = asyncio.Event()
        self.release = asyncio.Event()

    async def score(self, *args: Any) -> Any:
        self.entered.set()
        await self.release.wait()
        return await self._score(*args)


async def _submission_in_scoring(
    app: FastAPI, client: httpx.AsyncClient, headers: dict[str, str], monkeypatch: Any
) -> tuple[str, _HeldScoring, asyncio.Task[httpx.Response]]:
    """A complete assessment submitted, its request paused inside scoring."""
    started = await client.post(
        "/v1/assessments",
        json={"instrument": "mini-ipip", "consent_version": CURRENT_CONSENT_VERSION},
        headers=headers,
    )
    assessment_id: str = started.json()["id"]
    saved = await client.put(
        f"/v1/assessments/{assessment_id}/responses",
        json={"answers": answers_for("mini-ipip")},
        headers=headers,
    )
    assert saved.status_code == 200, saved.text
    held = _HeldScoring(app.state.scorer)
    monkeypatch.setattr(app.state.scorer, "score", held.score)
    submitting = asyncio.create_task(
        client.post(f"/v1/assessments/{assessment_id}/submit", headers=headers)
    )
    await asyncio.wait_for(held.entered.wait(), 5)
    return assessment_id, held, submitting


async def test_a_submission_waiting_for_scoring_leaves_the_database_to_others(
    app: FastAPI, client: httpx.AsyncClient, headers: dict[str, str], monkeypatch: Any
) -> None:
    _, held, submitting = await _submission_in_scoring(app, client, headers, monkeypatch)
    # The only slot is free while the submission waits: another request is served.
    other = await asyncio.wait_for(client.get("/v1/me", headers=headers), 5)
    assert other.status_code == 200
    held.release.set()
    submitted = await asyncio.wait_for(submitting, 5)
    assert submitted.status_code == 201, submitted.text
    assert not app.state.database.slots.locked()


async def test_no_slot_after_scoring_means_503_and_nothing_stored(
    app: FastAPI, client: httpx.AsyncClient, headers: dict[str, str], monkeypatch: Any
) -> None:
    slots: asyncio.Semaphore = app.state.database.slots
    assessment_id, held, submitting = await _submission_in_scoring(
        app, client, headers, monkeypatch
    )
    # Another request takes the slot (free during scoring) and keeps it.
    await asyncio.wait_for(slots.acquire(), 5)
    held.release.set()
    try:
        busy = await asyncio.wait_for(submitting, 5)
    finally:
        slots.release()
    assert_error(busy, 503, "database_busy")

    # Nothing was stored: the assessment is still open, and submitting again works.
    still_open = await client.get(f"/v1/assessments/{assessment_id}", headers=headers)
    assert still_open.json()["status"] == "in_progress"
    assert (await client.get("/v1/reports", headers=headers)).json()["items"] == []
    monkeypatch.undo()
    again = await client.post(f"/v1/assessments/{assessment_id}/submit", headers=headers)
    assert again.status_code == 201, again.text


async def test_with_slots_free_a_submission_keeps_its_connection_while_scoring(
    database_url: str, tmp_path: Path, monkeypatch: Any
) -> None:
    if database_url.startswith("sqlite"):
        pytest.skip("SQLite has one slot, always all taken")
    two = create_app(
        make_settings(database_url, tmp_path / "two", db_pool_size=2, db_max_overflow=0)
    )
    transport = httpx.ASGITransport(app=two, client=(CLIENT_IP, 40000))
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            _, issued = await signed_in_user(client)
            headers = bearer(issued["access_token"])
            _, held, submitting = await _submission_in_scoring(two, client, headers, monkeypatch)
            # One slot is free, so nothing was handed back: the connection stays out.
            assert two.state.database.engine.pool.checkedout() == 1
            held.release.set()
            assert (await asyncio.wait_for(submitting, 5)).status_code == 201
    finally:
        await two.state.database.engine.dispose()
