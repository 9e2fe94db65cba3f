"""/metrics: sign-ins, reports, scoring time, pool and slot gauges, Redis errors, and who
may read it."""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import httpx
import pytest
import redis
from fastapi import FastAPI
from prometheus_client.parser import text_string_to_metric_families

from helpers.api import (
    CLIENT_IP,
    TEST_PASSWORD,
    assert_error,
    bearer,
    register,
    signed_in_user,
)
from helpers.databases import make_settings
from helpers.flows import SAMPLE_TEXT, complete_report, start
from helpers.live_server import free_port
from insight_atlas.app import create_app
from insight_atlas.ops.metrics import REDIS_ERRORS
from insight_atlas.ops.ratelimit import LimiterUnavailable, RedisRateLimiter
from insight_atlas.settings import Environment, Settings

METRICS_TOKEN = "metrics-token-" + "m" * 32
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """Every sample of an exposition, by name and labels."""
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(text: str, name: str, **labels: str) -> float:
    return samples(text).get((name, frozenset(labels.items())), 0.0)


async def scrape(client: httpx.AsyncClient) -> str:
    response = await client.get("/metrics")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return response.text


async def login_status(client: httpx.AsyncClient, email: str, password: str) -> int:
    response = await client.post("/v1/auth/login", json={"email": email, "password": password})
    return response.status_code


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    # Small limits, so a lockout and a throttle are a few requests away.
    return make_settings(
        database_url,
        tmp_path / "data",
        login_max_failures_per_account=2,
        login_max_attempts_per_ip=6,
    )


async def test_sign_ins_are_counted_by_outcome(client: httpx.AsyncClient) -> None:
    before = await scrape(client)
    profile = await register(client)
    email = profile["email"]
    assert await login_status(client, email, TEST_PASSWORD) == 200
    assert await login_status(client, email, "not-the-password-at-all") == 401
    assert await login_status(client, email, "not-the-password-either") == 401
    assert await login_status(client, email, TEST_PASSWORD) == 429  # locked
    assert await login_status(client, "nobody-" + email, "whatever-password") == 401
    assert await login_status(client, email, TEST_PASSWORD) == 429  # locked, 6th attempt
    assert await login_status(client, email, TEST_PASSWORD) == 429  # throttled, 7th
    after = await scrape(client)

    def delta(outcome: str) -> float:
        name = "atlas_sign_ins_total"
        return value(after, name, outcome=outcome) - value(before, name, outcome=outcome)

    assert delta("success") == 1
    assert delta("bad_credentials") == 3
    assert delta("locked") == 2
    assert delta("throttled") == 1


async def test_reports_and_scoring_time_are_counted_by_instrument(
    client: httpx.AsyncClient,
) -> None:
    _, tokens = await signed_in_user(client)
    before = await scrape(client)
    await complete_report(client, tokens["access_token"], free_text=SAMPLE_TEXT)
    await complete_report(client, tokens["access_token"])
    unknown = await start(client, tokens["access_token"], "made-up-instrument")
    assert unknown.status_code == 404, unknown.text
    after = await scrape(client)

    reports = "atlas_reports_created_total"
    created = value(after, reports, instrument="mini-ipip") - value(
        before, reports, instrument="mini-ipip"
    )
    assert created == 2
    scored = "atlas_scoring_duration_seconds_count"
    assert (
        value(after, scored, instrument="mini-ipip") - value(before, scored, instrument="mini-ipip")
        == 2
    )
    assert value(after, "atlas_scoring_duration_seconds_sum", instrument="mini-ipip") > 0
    # Only the instruments that exist ever become labels.
    assert "made-up-instrument" not in after


async def test_pool_and_slot_gauges_are_read_when_scraped(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    text = await scrape(client)
    slots: asyncio.Semaphore = app.state.database.slots
    free = value(text, "atlas_db_slots_free")
    assert free >= 1
    assert value(text, "atlas_db_slot_waiting") == 0
    assert value(text, "atlas_db_pool_size") == app.state.settings.db_pool_size

    # Every slot taken, and one more request waiting for one.
    for _ in range(int(free)):
        await slots.acquire()
    waiter = asyncio.create_task(slots.acquire())
    await asyncio.sleep(0)
    async with app.state.database.engine.connect():
        text = await scrape(client)
    try:
        assert value(text, "atlas_db_slots_free") == 0
        assert value(text, "atlas_db_slot_waiting") == 1
        assert value(text, "atlas_db_pool_connections_in_use") >= 1
        assert value(text, "atlas_db_pool_connections_open") >= 1
    finally:
        for _ in range(int(free)):
            slots.release()
        await waiter
        slots.release()
    text = await scrape(client)
    assert value(text, "atlas_db_slot_waiting") == 0
    assert value(text, "atlas_db_slots_free") == free
    assert value(text, "atlas_db_pool_connections_in_use") == 0


async def test_webhook_outcomes_are_still_counted(client: httpx.AsyncClient) -> None:
    response = await client.post("/v1/stripe/webhook", content=b"{}")
    assert response.status_code == 400
    text = await scrape(client)
    name = "atlas_stripe_webhook_events_total"
    assert value(text, name, event_type="unverified", outcome="missing_signature") >= 1


def redis_errors(kind: str) -> float:
    return REDIS_ERRORS.labels(kind)._value.get()


async def test_failed_redis_commands_are_counted_once_each() -> None:
    # Nothing listens on this port: every command fails to connect. Limits fail open (an
    # empty window), sign-in's fail closed (503), and each failed command counts once.
    url = f"redis://127.0.0.1:{free_port()}/0"
    before = redis_errors("connection")
    open_limiter, closed_limiter = RedisRateLimiter(url), RedisRateLimiter(url)
    try:
        window = await open_limiter.hit("test:unreachable", 60)
        assert window.count == 0
        with pytest.raises(LimiterUnavailable):
            await closed_limiter.hit("test:unreachable", 60, fail_closed=True)
        assert redis_errors("connection") - before == 2
        # Right after a failure Redis is left alone: refused without a command, not counted.
        assert (await open_limiter.peek("test:unreachable")).count == 0
        await open_limiter.reset("test:unreachable")
        assert redis_errors("connection") - before == 2
    finally:
        await open_limiter.close()
        await closed_limiter.close()


def redis_available() -> bool:
    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


@pytest.mark.skipif(not redis_available(), reason="no Redis at TEST_REDIS_URL")
async def test_working_redis_counts_no_errors_even_with_an_empty_script_cache() -> None:
    redis.Redis.from_url(REDIS_URL).script_flush()
    limiter = RedisRateLimiter(REDIS_URL)
    before = {kind: redis_errors(kind) for kind in ("connection", "timeout", "response", "other")}
    try:
        key = f"test:{uuid.uuid4().hex}"
        # The first hit finds no script cached (NOSCRIPT), loads it and retries.
        assert (await limiter.hit(key, 60)).count == 1
        assert (await limiter.peek(key)).count == 1
        await limiter.reset(key)
    finally:
        await limiter.close()
    after = {kind: redis_errors(kind) for kind in before}
    assert after == before


AppFor = Callable[..., httpx.AsyncClient]


@pytest.fixture
async def app_for(tmp_path: Path, sqlite_template: Path) -> AsyncIterator[AppFor]:
    """Builds apps on a copy of the migrated SQLite template; disposes of them after."""
    built: list[FastAPI] = []

    def build(**overrides: object) -> httpx.AsyncClient:
        database = tmp_path / f"{uuid.uuid4().hex}.db"
        shutil.copyfile(sqlite_template, database)
        settings = make_settings(f"sqlite+aiosqlite:///{database}", tmp_path / "data")
        # model_copy skips the deployment checks (Stripe keys, PostgreSQL) that a real
        # production configuration passes: only the environment matters here.
        application = create_app(settings.model_copy(update=overrides))
        built.append(application)
        transport = httpx.ASGITransport(app=application, client=(CLIENT_IP, 40000))
        return httpx.AsyncClient(transport=transport, base_url="http://testserver")

    yield build
    for application in built:
        await application.state.database.engine.dispose()


async def test_metrics_are_open_in_development_without_a_token(app_for: AppFor) -> None:
    async with app_for(atlas_env=Environment.DEVELOPMENT) as http:
        assert (await http.get("/metrics")).status_code == 200


@pytest.mark.parametrize("environment", [Environment.PRODUCTION, Environment.STAGING])
async def test_deployed_metrics_are_hidden_without_a_token(
    app_for: AppFor, environment: Environment
) -> None:
    async with app_for(atlas_env=environment) as http:
        response = await http.get("/metrics", headers=bearer("anything"))
        error = assert_error(response, 404, "not_found")
        assert "metrics" not in error["message"].lower()


@pytest.mark.parametrize("environment", [Environment.PRODUCTION, Environment.DEVELOPMENT])
async def test_metrics_token_is_required_when_set(
    app_for: AppFor, environment: Environment
) -> None:
    async with app_for(atlas_env=environment, metrics_token=METRICS_TOKEN) as http:
        assert_error(await http.get("/metrics"), 401, "unauthorized")
        wrong = await http.get("/metrics", headers=bearer(METRICS_TOKEN + "x"))
        assert_error(wrong, 401, "unauthorized")
        assert wrong.headers["www-authenticate"] == "Bearer"
        basic = await http.get("/metrics", headers={"Authorization": f"Basic {METRICS_TOKEN}"})
        assert_error(basic, 401, "unauthorized")
        prefix = await http.get("/metrics", headers=bearer(METRICS_TOKEN[:-1]))
        assert_error(prefix, 401, "unauthorized")
        granted = await http.get("/metrics", headers=bearer(METRICS_TOKEN))
        assert granted.status_code == 200
        assert "atlas_http_requests_total" in granted.text
        # The refusals are counted like any other request, under the route's template.
        assert 'route="/metrics",status="401"' in granted.text


def test_a_short_metrics_token_is_refused_for_deployment(settings: Settings) -> None:
    problems = settings.model_copy(update={"metrics_token": "short"}).deployment_problems()
    assert any("METRICS_TOKEN" in problem for problem in problems)
    problems = settings.model_copy(update={"metrics_token": METRICS_TOKEN}).deployment_problems()
    assert not any("METRICS_TOKEN" in problem for problem in problems)
