"""Two `atlas serve` processes on one PostgreSQL database and one Redis behave as one
service: limits, token families, webhook idempotency, submissions and logout are shared
state, not per-process state."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import psycopg
import pytest
from cryptography.fernet import Fernet

from helpers.api import TEST_PASSWORD, bearer
from helpers.databases import (
    POSTGRES_AVAILABLE,
    create_postgres_database,
    drop_postgres_database,
    psycopg_dsn,
)
from helpers.fault_kit import RedisServer, assert_envelope, sign_up
from helpers.live_server import atlas_serve
from helpers.stripe_fakes import post_event, stripe_event, subscription_object
from insight_atlas.consent.ledger import CURRENT_CONSENT_VERSION
from insight_atlas.engine import load_instrument

pytestmark = pytest.mark.skipif(not POSTGRES_AVAILABLE, reason="PostgreSQL not reachable")

ANSWERS = {
    item.id: (index * 5) % 5 + 1 for index, item in enumerate(load_instrument("mini-ipip").items)
}


@dataclass
class Pair:
    database_url: str
    urls: tuple[str, str]

    def sql(self, query: str, *args: Any) -> list[tuple[Any, ...]]:
        with psycopg.connect(psycopg_dsn(self.database_url), autocommit=True) as connection:
            return connection.execute(query, args).fetchall()


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pair]:
    root = tmp_path_factory.mktemp("two-instances")
    database_url = create_postgres_database("atlas_faults")
    shared = {
        "DATABASE_URL": database_url,
        # Every instance signs and checks tokens, and encrypts reports, with the same keys.
        "SECRET_KEY": "two-instance-secret-" + uuid.uuid4().hex * 2,
        "FIELD_ENCRYPTION_KEY": Fernet.generate_key().decode(),
        "ENGINE_PROCESSES": "0",
    }
    try:
        with contextlib.ExitStack() as stack:
            redis = RedisServer(root)
            stack.callback(redis.kill)
            shared["REDIS_URL"] = redis.url
            urls = []
            for name in ("a", "b"):
                (root / name).mkdir()
                urls.append(stack.enter_context(atlas_serve(root / name, **shared)))
            yield Pair(database_url, (urls[0], urls[1]))
    finally:
        drop_postgres_database(database_url)


@contextlib.asynccontextmanager
async def clients(pair: Pair) -> AsyncIterator[tuple[httpx.AsyncClient, httpx.AsyncClient]]:
    async with (
        httpx.AsyncClient(base_url=pair.urls[0], timeout=30) as a,
        httpx.AsyncClient(base_url=pair.urls[1], timeout=30) as b,
    ):
        yield a, b


async def test_sign_in_failures_on_both_instances_share_one_lockout(pair: Pair) -> None:
    async with clients(pair) as (a, b):
        user = await sign_up(a, f"lock-{uuid.uuid4().hex[:10]}@example.com")
        limit = 5  # LOGIN_MAX_FAILURES_PER_ACCOUNT's default
        for attempt in range(limit - 1):  # the sign-up's own sign-in cleared the count
            instance = (a, b)[attempt % 2]
            wrong = await instance.post(
                "/v1/auth/login", json={"email": user["email"], "password": f"wrong-{attempt}"}
            )
            assert_envelope(wrong, 401, "invalid_credentials")
        last = await b.post(
            "/v1/auth/login", json={"email": user["email"], "password": "wrong-last"}
        )
        assert_envelope(last, 401, "invalid_credentials")
        # Limit reached across both: each instance now refuses even the right password.
        for instance in (a, b):
            locked = await instance.post(
                "/v1/auth/login", json={"email": user["email"], "password": TEST_PASSWORD}
            )
            assert_envelope(locked, 429, "rate_limited")


async def test_refresh_token_reused_on_the_other_instance_revokes_the_family(pair: Pair) -> None:
    async with clients(pair) as (a, b):
        first = await sign_up(a, f"fam-{uuid.uuid4().hex[:10]}@example.com")
        rotated = await a.post("/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
        assert rotated.status_code == 200, rotated.text
        second = rotated.json()
        replay = await b.post("/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
        assert_envelope(replay, 401, "invalid_refresh_token")
        for instance in (a, b):
            newest = await instance.post(
                "/v1/auth/refresh", json={"refresh_token": second["refresh_token"]}
            )
            assert_envelope(newest, 401, "invalid_refresh_token")
            me = await instance.get("/v1/me", headers=bearer(second["access_token"]))
            assert_envelope(me, 401, "invalid_token")


async def test_fifty_deliveries_of_one_event_across_both_apply_once(pair: Pair) -> None:
    async with clients(pair) as (a, b):
        user = await sign_up(a, f"hook-{uuid.uuid4().hex[:10]}@example.com")
        event = stripe_event(
            "customer.subscription.created",
            subscription_object(
                subscription_id=f"sub_{user['id']}_two",
                customer_id=f"cus_{user['id']}_two",
                user_id=user["id"],
            ),
        )
        responses = await asyncio.wait_for(
            asyncio.gather(*(post_event((a, b)[n % 2], event) for n in range(50))), timeout=60
        )
        assert all(response.status_code == 200 for response in responses), [
            r.text for r in responses if r.status_code != 200
        ]
        statuses = sorted(response.json()["status"] for response in responses)
        assert statuses == ["duplicate"] * 49 + ["handled"]
        for instance in (a, b):
            me = await instance.get("/v1/me", headers=bearer(user["access_token"]))
            assert me.json()["plan"] == "pro_monthly"
    [(attempts, handled)] = pair.sql(
        "SELECT attempts, handled_at IS NOT NULL FROM stripe_event WHERE stripe_event_id = %s",
        event["id"],
    )
    assert (attempts, handled) == (1, True)


async def test_a_submission_sent_to_both_instances_gives_one_report(pair: Pair) -> None:
    async with clients(pair) as (a, b):
        user = await sign_up(a, f"sub-{uuid.uuid4().hex[:10]}@example.com")
        headers = bearer(user["access_token"])
        assessments = []
        for _ in range(8):
            started = await a.post(
                "/v1/assessments",
                json={"instrument": "mini-ipip", "consent_version": CURRENT_CONSENT_VERSION},
                headers=headers,
            )
            assert started.status_code == 201, started.text
            assessment = started.json()["id"]
            saved = await b.put(
                f"/v1/assessments/{assessment}/responses",
                json={"answers": ANSWERS},
                headers=headers,
            )
            assert saved.status_code == 200, saved.text
            assessments.append(assessment)
        for assessment in assessments:
            path = f"/v1/assessments/{assessment}/submit"
            first, second = await asyncio.gather(
                a.post(path, headers=headers), b.post(path, headers=headers)
            )
            outcomes = sorted((first, second), key=lambda response: response.status_code)
            assert outcomes[0].status_code == 201, outcomes[0].text
            assert_envelope(outcomes[1], 409, "already_submitted")
            # Each instance shows the one report.
            for instance in (a, b):
                stored = await instance.get(f"/v1/assessments/{assessment}", headers=headers)
                assert stored.json()["report_id"] == outcomes[0].json()["id"]
    rows = pair.sql(
        "SELECT assessment_id::text, count(*) FROM report WHERE assessment_id::text = ANY(%s)"
        " GROUP BY assessment_id",
        assessments,
    )
    assert sorted(rows) == sorted((assessment, 1) for assessment in assessments)


async def test_logout_on_one_instance_ends_the_session_on_the_other_at_once(pair: Pair) -> None:
    async with clients(pair) as (a, b):
        user = await sign_up(a, f"out-{uuid.uuid4().hex[:10]}@example.com")
        headers = bearer(user["access_token"])
        assert (await b.get("/v1/me", headers=headers)).status_code == 200
        out = await a.post("/v1/auth/logout", headers=headers)
        assert out.status_code == 204
        # The session is checked on every request: the access token is refused at once,
        # long before it would expire, and so is the refresh token.
        assert_envelope(await b.get("/v1/me", headers=headers), 401, "invalid_token")
        refreshed = await b.post("/v1/auth/refresh", json={"refresh_token": user["refresh_token"]})
        assert_envelope(refreshed, 401, "invalid_refresh_token")
