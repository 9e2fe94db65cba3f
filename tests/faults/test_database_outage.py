"""PostgreSQL stops and comes back under load: 503s while it is down, never a 500 or a
half-written row, and recovery without restarting the service.

The cluster is the test's own (fault_kit.PostgresCluster): the machine's shared server is
never stopped.
"""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest

from helpers.api import bearer
from helpers.fault_kit import PostgresCluster, assert_envelope, postgres_cluster, sign_up
from helpers.live_server import atlas_serve
from helpers.stripe_fakes import post_event, stripe_event, subscription_object
from insight_atlas.consent.ledger import CURRENT_CONSENT_VERSION
from insight_atlas.engine import load_instrument

USERS = 16
ITEMS = [item.id for item in load_instrument("mini-ipip").items]
# What the service may answer while the database is down.
OUTAGE_CODES = ("database_unavailable",)


@dataclass
class Outcome:
    operation: str
    sent: float
    done: float
    status: int
    response: httpx.Response | None


@dataclass
class Service:
    cluster: PostgresCluster
    url: str

    def sql(self, query: str, *args: Any) -> list[tuple[Any, ...]]:
        dsn = f"postgresql://postgres@127.0.0.1:{self.cluster.port}/atlas"
        with psycopg.connect(dsn, autocommit=True) as connection:
            return connection.execute(query, args).fetchall()


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    directory: Path = tmp_path_factory.mktemp("db-outage")
    with (
        postgres_cluster() as cluster,
        atlas_serve(
            directory,
            DATABASE_URL=cluster.url,
            ENGINE_PROCESSES="0",
            RATE_LIMIT_ENABLED="false",
        ) as url,
    ):
        yield Service(cluster, url)


def answers(pattern: int) -> dict[str, int]:
    return {item: (index * 7 + pattern) % 5 + 1 for index, item in enumerate(ITEMS)}


def start_body() -> dict[str, Any]:
    return {"instrument": "mini-ipip", "consent_version": CURRENT_CONSENT_VERSION}


class Load:
    """One loop per user, each sending one request at a time: reads of /v1/me, saves of
    answers to the user's draft, and whole submissions (start, save, submit)."""

    def __init__(self, http: httpx.AsyncClient, users: list[dict[str, Any]]) -> None:
        self.http, self.users = http, users
        self.outcomes: list[Outcome] = []
        self.submitted: list[str] = []  # every assessment a submit was sent for
        # The draft's id, its answers last acknowledged, and patterns sent but unanswered.
        self.drafts: dict[str, tuple[int | None, list[int]]] = {}
        self.running = True

    async def call(self, operation: str, method: str, path: str, user: dict[str, Any],
                   **kwargs: Any) -> httpx.Response | None:  # fmt: skip
        sent = time.monotonic()
        try:
            response = await self.http.request(
                method, path, headers=bearer(user["access_token"]), **kwargs
            )
        except httpx.HTTPError:
            self.outcomes.append(Outcome(operation, sent, time.monotonic(), 0, None))
            return None
        self.outcomes.append(
            Outcome(operation, sent, time.monotonic(), response.status_code, response)
        )
        return response

    async def user_loop(self, user: dict[str, Any], draft: str, seed: int) -> None:
        rng = random.Random(seed)
        pattern = 0
        while self.running:
            roll = rng.random()
            if roll < 0.55:
                await self.call("me", "GET", "/v1/me", user)
            elif roll < 0.85:
                pattern += 1
                acknowledged, unknown = self.drafts[draft]
                response = await self.call(
                    "save", "PUT", f"/v1/assessments/{draft}/responses", user,
                    json={"answers": answers(pattern)},
                )  # fmt: skip
                if response is not None and response.status_code == 200:
                    self.drafts[draft] = (pattern, [])
                else:
                    self.drafts[draft] = (acknowledged, [*unknown, pattern])
            else:
                await self.submission(user)
            await asyncio.sleep(0)

    async def submission(self, user: dict[str, Any]) -> None:
        started = await self.call("start", "POST", "/v1/assessments", user, json=start_body())
        if started is None or started.status_code != 201:
            return
        assessment = started.json()["id"]
        saved = await self.call(
            "save", "PUT", f"/v1/assessments/{assessment}/responses", user,
            json={"answers": answers(0)},
        )  # fmt: skip
        if saved is None or saved.status_code != 200:
            return
        self.submitted.append(assessment)
        await self.call("submit", "POST", f"/v1/assessments/{assessment}/submit", user)


async def test_database_restart_under_load_answers_503_then_recovers(service: Service) -> None:
    base = service.url
    limits = httpx.Limits(max_connections=USERS + 4, max_keepalive_connections=USERS + 4)
    async with httpx.AsyncClient(base_url=base, timeout=15, limits=limits) as http:
        users = [
            await sign_up(http, f"load-{uuid.uuid4().hex[:10]}@example.com") for _ in range(USERS)
        ]
        drafts = []
        for user in users:
            created = await http.post(
                "/v1/assessments", json=start_body(), headers=bearer(user["access_token"])
            )
            assert created.status_code == 201, created.text
            drafts.append(created.json()["id"])
        load = Load(http, users)
        load.drafts = {draft: (None, []) for draft in drafts}
        loops = [
            asyncio.create_task(load.user_loop(user, draft, seed))
            for seed, (user, draft) in enumerate(zip(users, drafts, strict=True))
        ]
        try:
            await asyncio.sleep(2)
            stopping = time.monotonic()
            await asyncio.to_thread(service.cluster.stop, "fast")
            stopped = time.monotonic()
            await asyncio.sleep(1.5)
            ready = await http.get("/readyz")
            await asyncio.sleep(1)
            restarting = time.monotonic()
            await asyncio.to_thread(service.cluster.start)
            back = time.monotonic()
            await asyncio.sleep(7)
        finally:
            load.running = False
            await asyncio.wait_for(asyncio.gather(*loops), timeout=30)

        # /readyz names the cause while the database is down.
        assert_envelope(ready, 503, "not_ready")
        assert ready.json()["error"]["message"].startswith("database unreachable")

        outcomes = load.outcomes
        before = [o for o in outcomes if o.done < stopping]
        during = [o for o in outcomes if o.sent > stopped and o.done < restarting]
        settled = [o for o in outcomes if o.sent > back + 5]
        rate = len(outcomes) / (outcomes[-1].done - outcomes[0].sent)
        print(
            f"{len(outcomes)} requests, {rate:.0f}/s; before {len(before)}, while down"
            f" {len(during)}, 5 s after the database returned {len(settled)};"
            f" stop took {stopped - stopping:.2f} s, start {back - restarting:.2f} s"
        )
        assert len(before) > 50 and len(during) > 50 and len(settled) > 50
        # Never a 500, never a dropped connection: a success or the outage's 503.
        for outcome in outcomes:
            assert outcome.response is not None, outcome
            if outcome.status >= 300:
                assert_envelope(outcome.response, 503, *OUTAGE_CODES)
        assert all(o.status < 300 for o in before)
        assert all(o.status == 503 for o in during)
        assert all(o.status < 300 for o in settled), [
            (o.operation, o.status, round(o.sent - back, 2)) for o in settled if o.status >= 300
        ]
        recovered_after = max(
            (o.done - back for o in outcomes if o.status >= 300 and o.sent > back), default=0.0
        )
        print(f"last failure {recovered_after:.2f} s after the database returned")

        # Nothing half-written: a submitted assessment has exactly one report, an
        # unsubmitted one none; acknowledged submits are among the submitted.
        rows = service.sql(
            "SELECT a.id::text, a.status, count(r.id) FROM assessment a"
            " LEFT JOIN report r ON r.assessment_id = a.id"
            " WHERE a.id::text = ANY(%s) GROUP BY a.id, a.status",
            load.submitted,
        )
        assert len(rows) == len(load.submitted)
        for assessment, status, reports in rows:
            assert (status, reports) in (("submitted", 1), ("in_progress", 0)), assessment
        state = {assessment: status for assessment, status, _ in rows}
        for outcome in outcomes:
            if outcome.operation == "submit" and outcome.status == 201:
                assert outcome.response is not None
                assert state[outcome.response.json()["assessment_id"]] == "submitted"

        # Saved answers intact: each draft holds its last acknowledged answers, or those
        # of a later save whose answer was lost.
        for user, draft in zip(users, drafts, strict=True):
            acknowledged, unknown = load.drafts[draft]
            stored = await http.get(
                f"/v1/assessments/{draft}", headers=bearer(user["access_token"])
            )
            assert stored.status_code == 200, stored.text
            possible = [answers(p) for p in (acknowledged, *unknown) if p is not None]
            assert stored.json()["answers"] in possible or (
                acknowledged is None and not stored.json()["answers"]
            )

        # Ready again, without a restart of the service.
        assert (await http.get("/readyz")).status_code == 200


async def test_webhook_delivered_during_an_outage_applies_once_when_redelivered(
    service: Service,
) -> None:
    base = service.url
    async with httpx.AsyncClient(base_url=base, timeout=15) as http:
        user = await sign_up(http, f"hook-{uuid.uuid4().hex[:10]}@example.com")
    event = stripe_event(
        "customer.subscription.created",
        subscription_object(
            subscription_id=f"sub_{user['id']}_outage",
            customer_id=f"cus_{user['id']}_outage",
            user_id=user["id"],
        ),
    )
    async with httpx.AsyncClient(base_url=base, timeout=15) as http:
        service.cluster.stop("fast")
        try:
            during = await post_event(http, event)
            # A 5xx makes Stripe deliver again later.
            assert_envelope(during, 503, *OUTAGE_CODES)
        finally:
            service.cluster.start()
        deadline = time.monotonic() + 5
        while True:
            redelivered = await post_event(http, event)
            if redelivered.status_code != 503 or time.monotonic() > deadline:
                break
            await asyncio.sleep(0.2)
        assert redelivered.status_code == 200, redelivered.text
        assert redelivered.json() == {"status": "handled", "event_id": event["id"]}
        again = await post_event(http, event)
        assert again.status_code == 200 and again.json()["status"] == "duplicate"
        me = await http.get("/v1/me", headers=bearer(user["access_token"]))
        assert me.status_code == 200 and me.json()["plan"] == "pro_monthly", me.text
    [(attempts, handled)] = service.sql(
        "SELECT attempts, handled_at IS NOT NULL FROM stripe_event WHERE stripe_event_id = %s",
        event["id"],
    )
    assert (attempts, handled) == (1, True)
