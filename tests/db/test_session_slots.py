"""Admission to database sessions: first come first served, bounded in time."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from conftest import CLIENT_IP, assert_error, bearer, make_settings, signed_in_user
from insight_atlas.app import create_app
from insight_atlas.settings import Settings


async def test_the_default_pool_keeps_every_connection_it_admits() -> None:
    # Overflow connections are closed when returned to a full pool: with admission above
    # the kept-open size, steady load just above it would reconnect all the time.
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.db_max_overflow == 0
    slots: asyncio.Semaphore = create_app(settings).state.db_slots
    for _ in range(settings.db_pool_size):
        assert not slots.locked()
        await slots.acquire()
    assert slots.locked()


@pytest.fixture
async def one_slot_app(database_url: str, tmp_path: Path) -> AsyncIterator[FastAPI]:
    settings = make_settings(
        database_url,
        tmp_path / "data",
        db_pool_size=1,
        db_max_overflow=0,
        db_pool_timeout_seconds=0.3,
    )
    application = create_app(settings)
    yield application
    await application.state.services.engine.dispose()


@pytest.fixture
async def one_slot_client(one_slot_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=one_slot_app, client=(CLIENT_IP, 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


async def test_a_request_waits_for_a_slot_then_gets_503_with_retry_after(
    one_slot_app: FastAPI, one_slot_client: httpx.AsyncClient
) -> None:
    _, issued = await signed_in_user(one_slot_client)
    headers = bearer(issued["access_token"])
    slots: asyncio.Semaphore = one_slot_app.state.db_slots

    await slots.acquire()  # another request holds the only connection
    try:
        busy = await asyncio.wait_for(one_slot_client.get("/v1/me", headers=headers), 5)
    finally:
        slots.release()
    assert_error(busy, 503, "database_busy")
    assert busy.headers["Retry-After"] == "1"

    # Freed within the wait: the waiting request is served.
    await slots.acquire()
    waiting = asyncio.create_task(one_slot_client.get("/v1/me", headers=headers))
    await asyncio.sleep(0.1)
    assert not waiting.done()
    slots.release()
    assert (await waiting).status_code == 200

    # Every request gave its slot back, whatever its outcome.
    assert (await one_slot_client.get("/v1/reports/not-an-id", headers=headers)).status_code == 404
    assert not slots.locked()
    await asyncio.wait_for(slots.acquire(), 1)  # the one slot, free again
    slots.release()


async def test_waiting_requests_are_served_in_arrival_order(
    one_slot_app: FastAPI, one_slot_client: httpx.AsyncClient
) -> None:
    _, issued = await signed_in_user(one_slot_client)
    headers = bearer(issued["access_token"])
    slots: asyncio.Semaphore = one_slot_app.state.db_slots
    finished: list[int] = []

    async def call(number: int) -> None:
        response = await one_slot_client.get("/v1/me", headers=headers)
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
