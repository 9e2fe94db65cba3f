"""Redis down with REDIS_URL set: the service keeps serving, sign-in fails closed (503
rate_limiter_unavailable), every other limit fails open, /readyz says so, and no request
waits on the dead Redis."""

from __future__ import annotations

import asyncio
import time
import uuid
from pathlib import Path

import httpx

from helpers.api import TEST_PASSWORD, bearer
from helpers.fault_kit import RedisServer, assert_envelope, sign_up
from helpers.live_server import atlas_serve
from insight_atlas.consent.ledger import CURRENT_CONSENT_VERSION
from insight_atlas.engine import load_instrument

ANSWERS = {
    item.id: (index * 3) % 5 + 1 for index, item in enumerate(load_instrument("mini-ipip").items)
}


async def test_redis_down_keeps_serving_and_sign_in_fails_closed(
    tmp_path: Path, sqlite_template: Path
) -> None:
    (tmp_path / "server").mkdir()
    redis = RedisServer(tmp_path)
    try:
        with atlas_serve(
            tmp_path / "server", sqlite_template, REDIS_URL=redis.url, ENGINE_PROCESSES="0"
        ) as url:
            async with httpx.AsyncClient(base_url=url, timeout=10) as http:
                user = await sign_up(http, f"r-{uuid.uuid4().hex[:10]}@example.com")
                ready = await http.get("/readyz")
                assert ready.status_code == 200
                assert (ready.json()["status"], ready.json()["redis"]) == ("ok", "ok")

                redis.kill()
                slowest = 0.0

                async def timed(method: str, path: str, **kwargs: object) -> httpx.Response:
                    nonlocal slowest
                    started = time.monotonic()
                    response = await http.request(method, path, **kwargs)  # type: ignore[arg-type]
                    slowest = max(slowest, time.monotonic() - started)
                    return response

                ready = await timed("GET", "/readyz")
                assert ready.status_code == 200, ready.text
                assert ready.json()["status"] == "degraded"
                assert ready.json()["redis"].startswith("unreachable: "), ready.json()
                assert ready.json()["database"] == "ok"

                # Sign-in fails closed, right password or wrong: no guess goes uncounted.
                for password in (TEST_PASSWORD, "a-wrong-password-guess"):
                    refused = await timed(
                        "POST", "/v1/auth/login",
                        json={"email": user["email"], "password": password},
                    )  # fmt: skip
                    assert_envelope(refused, 503, "rate_limiter_unavailable")
                    assert refused.headers["retry-after"]
                # So does every other check of a password (they share the lockout).
                change = await timed(
                    "POST", "/v1/auth/password/change",
                    json={"current_password": "a-wrong-password-guess",
                          "new_password": "another-long-enough-password"},
                    headers=bearer(user["access_token"]),
                )  # fmt: skip
                assert_envelope(change, 503, "rate_limiter_unavailable")

                # Everything else keeps working: limits fail open.
                me = await timed("GET", "/v1/me", headers=bearer(user["access_token"]))
                assert me.status_code == 200, me.text
                registered = await timed(
                    "POST", "/v1/auth/register",
                    json={"email": f"r2-{uuid.uuid4().hex[:10]}@example.com",
                          "password": TEST_PASSWORD},
                )  # fmt: skip
                assert registered.status_code == 201, registered.text
                refreshed = await timed(
                    "POST", "/v1/auth/refresh", json={"refresh_token": user["refresh_token"]}
                )
                assert refreshed.status_code == 200, refreshed.text
                token = refreshed.json()["access_token"]
                started = await timed(
                    "POST", "/v1/assessments",
                    json={"instrument": "mini-ipip", "consent_version": CURRENT_CONSENT_VERSION},
                    headers=bearer(token),
                )  # fmt: skip
                assert started.status_code == 201, started.text
                assessment = started.json()["id"]
                saved = await timed(
                    "PUT", f"/v1/assessments/{assessment}/responses",
                    json={"answers": ANSWERS}, headers=bearer(token),
                )  # fmt: skip
                assert saved.status_code == 200, saved.text
                submitted = await timed(
                    "POST", f"/v1/assessments/{assessment}/submit", headers=bearer(token)
                )
                assert submitted.status_code == 201, submitted.text
                forgot = await timed(
                    "POST", "/v1/auth/password/forgot", json={"email": user["email"]}
                )
                assert forgot.status_code < 300, forgot.text
                # A dead Redis costs a request at most a short timeout, never a stall.
                assert slowest < 2.0, slowest

                # Redis back on the same address: sign-in works again within seconds.
                redis = RedisServer(tmp_path, port=redis.port)
                deadline = time.monotonic() + 5
                while True:
                    login = await http.post(
                        "/v1/auth/login", json={"email": user["email"], "password": TEST_PASSWORD}
                    )
                    if login.status_code != 503 or time.monotonic() > deadline:
                        break
                    await asyncio.sleep(0.2)
                assert login.status_code == 200, login.text
                ready = await http.get("/readyz")
                assert (ready.json()["status"], ready.json()["redis"]) == ("ok", "ok")
    finally:
        redis.kill()
