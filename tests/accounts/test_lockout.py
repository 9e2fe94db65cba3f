"""The account lockout: attempts counted before they are checked, one counter for sign-in,
password change and account deletion (issue 14, items 7 and 10)."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Callable

import httpx
import pytest
import redis
from fastapi import FastAPI

from conftest import AppMaker
from helpers.api import TEST_PASSWORD, assert_error, bearer, register, signed_in_user

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
WRONG = "not-the-password-at-all"
NEW_PASSWORD = "a-brand-new-passphrase"


def count_checks(app: FastAPI, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every password evaluated from now on (the argon2id verification itself)."""
    checked: list[str] = []
    passwords = app.state.passwords
    original: Callable[[str, str], bool] = passwords._verify_quietly

    def spy(password_hash: str, password: str) -> bool:
        checked.append(password)
        return original(password_hash, password)

    monkeypatch.setattr(passwords, "_verify_quietly", spy)
    return checked


async def sign_in(client: httpx.AsyncClient, email: str, password: str) -> httpx.Response:
    return await client.post("/v1/auth/login", json={"email": email, "password": password})


async def assert_locked_even_for_the_right_password(client: httpx.AsyncClient, email: str) -> None:
    locked = await sign_in(client, email, TEST_PASSWORD)
    error = assert_error(locked, 429, "rate_limited")
    assert int(locked.headers["retry-after"]) > 0
    assert error["details"]["retry_after_seconds"] == int(locked.headers["retry-after"])


async def burst_of_wrong_passwords(
    client: httpx.AsyncClient, app: FastAPI, email: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    limit = app.state.settings.login_max_failures_per_account
    checked = count_checks(app, monkeypatch)
    responses = await asyncio.gather(*(sign_in(client, email, WRONG) for _ in range(30)))
    statuses = sorted(response.status_code for response in responses)
    assert statuses == [401] * limit + [429] * (30 - limit)
    assert len(checked) == limit


async def test_concurrent_wrong_passwords_are_counted_before_any_is_checked(
    client: httpx.AsyncClient, app: FastAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    import insight_atlas.ops.ratelimit as ratelimit

    settings = app.state.settings
    settings.login_max_attempts_per_ip = 1000  # the per-account limit is under test
    clock = [1000.0]
    monkeypatch.setattr(ratelimit.time, "monotonic", lambda: clock[0])
    profile = await register(client)

    await burst_of_wrong_passwords(client, app, profile["email"], monkeypatch)
    await assert_locked_even_for_the_right_password(client, profile["email"])
    clock[0] += settings.login_account_window_seconds
    assert (await sign_in(client, profile["email"], TEST_PASSWORD)).status_code == 200


def redis_available() -> bool:
    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


REDIS_WINDOW_SECONDS = 4  # short, so the test sees the lockout end; long enough for a burst


@pytest.fixture
async def redis_app(make_app: AppMaker) -> FastAPI:
    if not redis_available():
        pytest.skip(f"Redis not reachable at {REDIS_URL}")
    return await make_app(
        redis_url=REDIS_URL,
        login_max_attempts_per_ip=1000,
        login_account_window_seconds=REDIS_WINDOW_SECONDS,
    )


async def test_the_redis_limiter_counts_concurrent_wrong_passwords_before_checking(
    redis_app: FastAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    # An address of its own: counters in Redis outlive the test's app.
    address = f"198.51.100.{uuid.uuid4().int % 250 + 1}"
    transport = httpx.ASGITransport(app=redis_app, client=(address, 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        profile = await register(client)
        await burst_of_wrong_passwords(client, redis_app, profile["email"], monkeypatch)
        await assert_locked_even_for_the_right_password(client, profile["email"])
        # Until the window passes (Redis expires the counter), then the right one works.
        loop = asyncio.get_running_loop()
        deadline = loop.time() + REDIS_WINDOW_SECONDS + 3
        while (
            response := await sign_in(client, profile["email"], TEST_PASSWORD)
        ).status_code == 429:
            assert loop.time() < deadline, "still locked after the window"
            await asyncio.sleep(0.25)
        assert response.status_code == 200, response.text


async def change_password(
    client: httpx.AsyncClient, access_token: str, current: str
) -> httpx.Response:
    return await client.post(
        "/v1/auth/password/change",
        json={"current_password": current, "new_password": NEW_PASSWORD},
        headers=bearer(access_token),
    )


async def delete_me(client: httpx.AsyncClient, access_token: str, password: str) -> httpx.Response:
    return await client.request(
        "DELETE", "/v1/me", json={"password": password}, headers=bearer(access_token)
    )


async def test_wrong_passwords_at_password_change_lock_the_account(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    profile, issued = await signed_in_user(client)
    for _ in range(app.state.settings.login_max_failures_per_account):
        wrong = await change_password(client, issued["access_token"], WRONG)
        assert_error(wrong, 403, "invalid_current_password")
    right = await change_password(client, issued["access_token"], TEST_PASSWORD)
    assert_error(right, 429, "rate_limited")
    await assert_locked_even_for_the_right_password(client, profile["email"])
    # Nothing changed: the old password is still the password, the session still alive.
    assert (await client.get("/v1/me", headers=bearer(issued["access_token"]))).status_code == 200


async def test_wrong_passwords_at_account_deletion_lock_the_account(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    profile, issued = await signed_in_user(client)
    for _ in range(app.state.settings.login_max_failures_per_account):
        wrong = await delete_me(client, issued["access_token"], WRONG)
        assert_error(wrong, 403, "invalid_current_password")
    right = await delete_me(client, issued["access_token"], TEST_PASSWORD)
    assert_error(right, 429, "rate_limited")
    await assert_locked_even_for_the_right_password(client, profile["email"])
    assert (await client.get("/v1/me", headers=bearer(issued["access_token"]))).status_code == 200


async def test_sign_in_and_password_checks_share_one_counter(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    profile, issued = await signed_in_user(client)
    limit = app.state.settings.login_max_failures_per_account
    for _ in range(limit - 2):
        assert (await sign_in(client, profile["email"], WRONG)).status_code == 401
    wrong_change = await change_password(client, issued["access_token"], WRONG)
    assert_error(wrong_change, 403, "invalid_current_password")
    wrong_delete = await delete_me(client, issued["access_token"], WRONG)
    assert_error(wrong_delete, 403, "invalid_current_password")
    assert_error(
        await change_password(client, issued["access_token"], TEST_PASSWORD), 429, "rate_limited"
    )


async def test_the_right_password_at_a_check_clears_the_count(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    profile, issued = await signed_in_user(client)
    limit = app.state.settings.login_max_failures_per_account
    for _ in range(limit - 1):
        assert (await sign_in(client, profile["email"], WRONG)).status_code == 401
    changed = await change_password(client, issued["access_token"], TEST_PASSWORD)
    assert changed.status_code == 200, changed.text
    for _ in range(limit - 1):
        assert (await sign_in(client, profile["email"], WRONG)).status_code == 401
    assert (await sign_in(client, profile["email"], NEW_PASSWORD)).status_code == 200
