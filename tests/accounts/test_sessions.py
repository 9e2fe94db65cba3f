"""Login, access tokens, refresh rotation with reuse detection, logout."""

from __future__ import annotations

import asyncio
import datetime as dt

import httpx
import jwt
import pytest
from fastapi import FastAPI

from helpers.api import TEST_PASSWORD, assert_error, bearer, login, register, signed_in_user
from insight_atlas.accounts.tokens import create_access_token


async def test_login_returns_short_lived_access_token_and_opaque_refresh_token(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    profile, tokens = await signed_in_user(client)
    assert tokens["token_type"] == "bearer"
    assert 0 < tokens["expires_in"] <= 30 * 60
    claims = jwt.decode(
        tokens["access_token"],
        app.state.settings.secret_key,
        algorithms=["HS256"],
        issuer="insight-atlas",
    )
    assert claims["sub"] == str(profile["id"]) and claims["typ"] == "access"
    assert claims["exp"] - claims["iat"] <= 30 * 60
    assert tokens["refresh_token"].count(".") == 0  # opaque, not a JWT

    me = await client.get("/v1/me", headers=bearer(tokens["access_token"]))
    assert me.status_code == 200
    assert me.json()["id"] == profile["id"]


async def test_wrong_password_and_unknown_email_fail_identically(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    profile = await register(client)
    verified: list[str] = []
    passwords = app.state.passwords
    original = passwords._verify_quietly

    def spy(password_hash: str, password: str) -> bool:
        verified.append(password_hash)
        return bool(original(password_hash, password))

    passwords._verify_quietly = spy
    wrong = await client.post(
        "/v1/auth/login", json={"email": profile["email"], "password": "not-the-password"}
    )
    unknown = await client.post(
        "/v1/auth/login", json={"email": "nobody@example.com", "password": TEST_PASSWORD}
    )
    wrong_error = assert_error(wrong, 401, "invalid_credentials")
    unknown_error = assert_error(unknown, 401, "invalid_credentials")
    assert wrong_error["message"] == unknown_error["message"]
    # Both paths ran one full argon2id verification: the unknown e-mail against a dummy hash.
    assert len(verified) == 2 and all(h.startswith("$argon2id$") for h in verified)


async def test_account_is_throttled_after_repeated_failures(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    profile = await register(client)
    limit = app.state.settings.login_max_failures_per_account
    for _ in range(limit):
        response = await client.post(
            "/v1/auth/login", json={"email": profile["email"], "password": "wrong-password-x"}
        )
        assert response.status_code == 401
    # Even the right password is refused while the account is throttled.
    blocked = await client.post(
        "/v1/auth/login", json={"email": profile["email"], "password": TEST_PASSWORD}
    )
    error = assert_error(blocked, 429, "rate_limited")
    assert int(blocked.headers["retry-after"]) > 0
    assert error["details"]["retry_after_seconds"] == int(blocked.headers["retry-after"])


@pytest.mark.settings(login_max_attempts_per_ip=3)
async def test_client_address_is_throttled(client: httpx.AsyncClient) -> None:
    profile = await register(client)
    for _ in range(3):
        await client.post(
            "/v1/auth/login", json={"email": profile["email"], "password": TEST_PASSWORD}
        )
    response = await client.post(
        "/v1/auth/login", json={"email": profile["email"], "password": TEST_PASSWORD}
    )
    assert_error(response, 429, "rate_limited")
    assert "retry-after" in response.headers


async def test_successful_login_clears_failure_count(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    profile = await register(client)
    limit = app.state.settings.login_max_failures_per_account
    for _ in range(limit - 1):
        await client.post(
            "/v1/auth/login", json={"email": profile["email"], "password": "wrong-password-x"}
        )
    await login(client, profile["email"])
    for _ in range(limit - 1):
        await client.post(
            "/v1/auth/login", json={"email": profile["email"], "password": "wrong-password-x"}
        )
    await login(client, profile["email"])


async def test_refresh_rotates_and_reuse_revokes_the_whole_family(
    client: httpx.AsyncClient,
) -> None:
    _, first = await signed_in_user(client)
    rotated = await client.post("/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert rotated.status_code == 200
    second = rotated.json()
    assert second["refresh_token"] != first["refresh_token"]
    assert (await client.get("/v1/me", headers=bearer(second["access_token"]))).status_code == 200

    replay = await client.post("/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert_error(replay, 401, "invalid_refresh_token")
    # The family is gone: the newest refresh token and the session's access tokens too.
    newest = await client.post("/v1/auth/refresh", json={"refresh_token": second["refresh_token"]})
    assert_error(newest, 401, "invalid_refresh_token")
    me = await client.get("/v1/me", headers=bearer(second["access_token"]))
    assert_error(me, 401, "invalid_token")


async def test_concurrent_refresh_of_one_token_yields_one_winner(
    client: httpx.AsyncClient,
) -> None:
    _, tokens = await signed_in_user(client)
    responses = await asyncio.gather(
        *(
            client.post("/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
            for _ in range(3)
        )
    )
    assert sum(r.status_code == 200 for r in responses) == 1
    assert all(r.status_code in (200, 401) for r in responses)


async def test_reuse_revocation_leaves_other_sessions_alone(client: httpx.AsyncClient) -> None:
    profile, phone = await signed_in_user(client)
    laptop = await login(client, profile["email"])
    await client.post("/v1/auth/refresh", json={"refresh_token": phone["refresh_token"]})
    await client.post("/v1/auth/refresh", json={"refresh_token": phone["refresh_token"]})
    assert (await client.get("/v1/me", headers=bearer(laptop["access_token"]))).status_code == 200


async def test_logout_revokes_access_and_refresh_tokens(client: httpx.AsyncClient) -> None:
    _, tokens = await signed_in_user(client)
    response = await client.post("/v1/auth/logout", headers=bearer(tokens["access_token"]))
    assert response.status_code == 204
    assert_error(
        await client.get("/v1/me", headers=bearer(tokens["access_token"])), 401, "invalid_token"
    )
    assert_error(
        await client.post("/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]}),
        401,
        "invalid_refresh_token",
    )


async def test_logout_with_refresh_token_only(client: httpx.AsyncClient) -> None:
    _, tokens = await signed_in_user(client)
    response = await client.post("/v1/auth/logout", json={"refresh_token": tokens["refresh_token"]})
    assert response.status_code == 204
    me = await client.get("/v1/me", headers=bearer(tokens["access_token"]))
    assert_error(me, 401, "invalid_token")


async def test_logout_without_credentials_is_401(client: httpx.AsyncClient) -> None:
    assert_error(await client.post("/v1/auth/logout"), 401, "invalid_token")


async def test_bad_tokens_are_rejected(client: httpx.AsyncClient, app: FastAPI) -> None:
    profile, tokens = await signed_in_user(client)
    secret = app.state.settings.secret_key
    claims = jwt.decode(
        tokens["access_token"], secret, algorithms=["HS256"], issuer="insight-atlas"
    )
    now = dt.datetime.now(dt.UTC)
    expired = create_access_token(
        secret,
        user_id=profile["id"],
        session_id=claims["sid"],
        now=now - dt.timedelta(hours=1),
        lifetime=dt.timedelta(minutes=15),
    )
    forged = create_access_token(
        "another-secret-" + "y" * 32,
        user_id=profile["id"],
        session_id=claims["sid"],
        now=now,
        lifetime=dt.timedelta(minutes=15),
    )
    wrong_type = jwt.encode({**claims, "typ": "refresh"}, secret, algorithm="HS256")
    unsigned = jwt.encode({**claims}, None, algorithm="none")
    cases = {
        "expired": expired,
        "forged": forged,
        "wrong type": wrong_type,
        "alg none": unsigned,
        "refresh token as access token": tokens["refresh_token"],
        "garbage": "not.a.token",
    }
    for name, token in cases.items():
        response = await client.get("/v1/me", headers=bearer(token))
        assert response.status_code == 401, name
        assert response.json()["error"]["code"] == "invalid_token", name
        assert response.headers["www-authenticate"] == "Bearer"
    assert_error(await client.get("/v1/me"), 401, "invalid_token")
    assert_error(
        await client.get("/v1/me", headers={"Authorization": "Basic abc"}), 401, "invalid_token"
    )
