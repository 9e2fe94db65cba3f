"""A scoring worker killed under a load of submissions: only the submissions it was
scoring fail (503 with the envelope, nothing written); a new worker takes the next ones."""

from __future__ import annotations

import asyncio
import time
import uuid
from pathlib import Path
from typing import Any

import httpx

from helpers.api import bearer
from helpers.fault_kit import assert_envelope, kill, scoring_worker_pids, serve_pid, sign_up
from helpers.live_server import atlas_serve
from insight_atlas.consent.ledger import CURRENT_CONSENT_VERSION
from insight_atlas.engine import load_instrument

USERS = 8
PER_USER = 15
KILLS = 3
ANSWERS = {
    item.id: (index * 7) % 5 + 1 for index, item in enumerate(load_instrument("mini-ipip").items)
}


async def prepared_assessment(http: httpx.AsyncClient, token: str) -> str:
    started = await http.post(
        "/v1/assessments",
        json={"instrument": "mini-ipip", "consent_version": CURRENT_CONSENT_VERSION},
        headers=bearer(token),
    )
    assert started.status_code == 201, started.text
    assessment: str = started.json()["id"]
    saved = await http.put(
        f"/v1/assessments/{assessment}/responses", json={"answers": ANSWERS}, headers=bearer(token)
    )
    assert saved.status_code == 200, saved.text
    return assessment


async def wait_for_worker(
    serve: int, other_than: set[int], loops: list[asyncio.Task[None]]
) -> int | None:
    """A new scoring worker; None once the submissions are over (a worker is started only
    when a submission needs one)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not all(loop.done() for loop in loops):
        fresh = [pid for pid in scoring_worker_pids(serve) if pid not in other_than]
        if fresh:
            return fresh[0]
        await asyncio.sleep(0.05)
    return None


async def test_killed_scoring_worker_fails_only_its_submissions(
    tmp_path: Path, sqlite_template: Path
) -> None:
    with atlas_serve(
        tmp_path, sqlite_template, ENGINE_PROCESSES="1", RATE_LIMIT_ENABLED="false"
    ) as url:
        serve = serve_pid(url)
        killed: set[int] = set()
        async with httpx.AsyncClient(base_url=url, timeout=60) as http:
            users = [
                await sign_up(http, f"w-{uuid.uuid4().hex[:10]}@example.com") for _ in range(USERS)
            ]
            queues = [
                [await prepared_assessment(http, user["access_token"]) for _ in range(PER_USER)]
                for user in users
            ]
            # (assessment, user, sent, answered, response)
            outcomes: list[tuple[str, dict[str, Any], float, float, httpx.Response]] = []

            async def submitter(user: dict[str, Any], queue: list[str]) -> None:
                for assessment in queue:
                    sent = time.monotonic()
                    response = await http.post(
                        f"/v1/assessments/{assessment}/submit",
                        headers=bearer(user["access_token"]),
                    )
                    outcomes.append((assessment, user, sent, time.monotonic(), response))

            loops: list[asyncio.Task[None]] = []
            starting = asyncio.create_task(asyncio.sleep(30))  # the start-up's own worker
            worker = await wait_for_worker(serve, killed, [starting])
            starting.cancel()
            loops = [
                asyncio.create_task(submitter(user, queue))
                for user, queue in zip(users, queues, strict=True)
            ]
            kill_times = []
            while worker is not None and len(kill_times) < KILLS:
                await asyncio.sleep(0.3)
                kill(worker)
                killed.add(worker)
                kill_times.append(time.monotonic())
                worker = await wait_for_worker(serve, killed, loops)
            await asyncio.wait_for(asyncio.gather(*loops), timeout=120)
            assert kill_times

            failed = []
            for assessment, user, sent, answered, response in outcomes:
                if response.status_code == 201:
                    assert response.json()["assessment_id"] == assessment
                    continue
                assert_envelope(response, 503, "scoring_unavailable")
                # Only those in flight when a worker died (sent before the kill, or in
                # the moment before the service saw the worker's socket close).
                assert any(sent < moment + 0.2 <= answered + 0.2 for moment in kill_times)
                failed.append((assessment, user, sent))
            print(
                f"{len(outcomes)} submissions, {len(failed)} failed with the {KILLS} killed"
                f" workers; workers {sorted(killed)} then {worker}"
            )
            assert len(outcomes) == USERS * PER_USER
            # A submission sent after the last kill is scored by the next worker.
            late = [o for o in outcomes if o[2] > kill_times[-1] + 0.2]
            assert all(response.status_code == 201 for *_, response in late)
            assert failed, "no submission was in flight when a worker was killed"

            # Nothing was written for a failed one, and it succeeds when sent again.
            for assessment, user, _sent in failed:
                token = user["access_token"]
                stored = await http.get(f"/v1/assessments/{assessment}", headers=bearer(token))
                assert stored.status_code == 200, stored.text
                assert stored.json()["status"] == "in_progress"
                assert stored.json()["report_id"] is None
                assert stored.json()["answers"] == ANSWERS
                again = await http.post(
                    f"/v1/assessments/{assessment}/submit", headers=bearer(token)
                )
                assert again.status_code == 201, again.text
        assert serve_pid(url) == serve  # the service itself never restarted
