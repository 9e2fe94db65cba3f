"""Browser sign-in: the refresh token lives in an HttpOnly cookie and needs our Origin."""

from __future__ import annotations

from collections.abc import AsyncIterator
from http.cookies import SimpleCookie

import httpx
import pytest
from fastapi import FastAPI

from helpers.api import CLIENT_IP, TEST_PASSWORD, assert_error, bearer, register

SITE = "http://127.0.0.1:8000"


@pytest.fixture
async def site(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """A client at the API's own loopback origin, as the browser is under `make run`."""
    transport = httpx.ASGITransport(app=app, client=(CLIENT_IP, 40000))
    async with httpx.AsyncClient(transport=transport, base_url=SITE) as http:
        yield http


def _set_cookie(response: httpx.Response) -> SimpleCookie:
    [header] = response.headers.get_list("set-cookie")
    cookie = SimpleCookie()
    cookie.load(header)
    return cookie


async def _cookie_login(client: httpx.AsyncClient, email: str) -> tuple[dict[str, str], str]:
    response = await client.post(
        "/v1/auth/login", json={"email": email, "password": TEST_PASSWORD, "cookie": True}
    )
    assert response.status_code == 200, response.text
    return response.json(), _set_cookie(response)["atlas_refresh"].value


async def _refresh(
    client: httpx.AsyncClient, refresh_cookie: str, origin: str | None = SITE
) -> httpx.Response:
    headers = {"Cookie": f"atlas_refresh={refresh_cookie}"}
    if origin is not None:
        headers["Origin"] = origin
    return await client.post("/v1/auth/refresh", json={}, headers=headers)


async def test_cookie_login_sets_an_httponly_strict_cookie_and_no_token_in_the_body(
    site: httpx.AsyncClient,
) -> None:
    profile = await register(site)
    response = await site.post(
        "/v1/auth/login",
        json={"email": profile["email"], "password": TEST_PASSWORD, "cookie": True},
    )
    body = response.json()
    assert body["refresh_token"] is None and body["access_token"]
    morsel = _set_cookie(response)["atlas_refresh"]
    assert morsel.value and morsel["httponly"] is True
    assert morsel["samesite"] == "strict" and morsel["path"] == "/v1/auth"
    assert int(morsel["max-age"]) == body["refresh_expires_in"] > 0
    # Plain http on loopback: a Secure cookie would never be sent back.
    assert not morsel["secure"]
    assert (await site.get("/v1/me", headers=bearer(body["access_token"]))).status_code == 200


async def test_the_cookie_is_secure_on_any_other_host(app: FastAPI) -> None:
    transport = httpx.ASGITransport(app=app, client=(CLIENT_IP, 40000))
    async with httpx.AsyncClient(transport=transport, base_url="https://api.example.test") as http:
        profile = await register(http)
        _, _value = await _cookie_login(http, profile["email"])
        response = await http.post(
            "/v1/auth/login",
            json={"email": profile["email"], "password": TEST_PASSWORD, "cookie": True},
        )
        assert _set_cookie(response)["atlas_refresh"]["secure"] is True


async def test_json_login_still_returns_the_refresh_token_and_sets_no_cookie(
    site: httpx.AsyncClient,
) -> None:
    profile = await register(site)
    response = await site.post(
        "/v1/auth/login", json={"email": profile["email"], "password": TEST_PASSWORD}
    )
    assert response.json()["refresh_token"]
    assert "set-cookie" not in response.headers


async def test_refresh_by_cookie_rotates_it(site: httpx.AsyncClient) -> None:
    profile = await register(site)
    _, first = await _cookie_login(site, profile["email"])
    response = await _refresh(site, first)
    assert response.status_code == 200, response.text
    assert response.json()["refresh_token"] is None
    second = _set_cookie(response)["atlas_refresh"].value
    assert second and second != first
    access = response.json()["access_token"]
    assert (await site.get("/v1/me", headers=bearer(access))).status_code == 200


@pytest.mark.parametrize("origin", [None, "null", "https://evil.example", "http://127.0.0.1:9999"])
async def test_refresh_by_cookie_needs_an_origin_we_serve(
    site: httpx.AsyncClient, origin: str | None
) -> None:
    profile = await register(site)
    _, cookie = await _cookie_login(site, profile["email"])
    assert_error(await _refresh(site, cookie, origin), 403, "origin_refused")
    # Refused before use: the cookie still works from the site itself.
    assert (await _refresh(site, cookie)).status_code == 200


async def test_configured_web_origins_may_refresh_by_cookie(site: httpx.AsyncClient) -> None:
    # CORS_ORIGINS defaults to the Next.js development server's origins.
    profile = await register(site)
    _, cookie = await _cookie_login(site, profile["email"])
    response = await _refresh(site, cookie, "http://localhost:3000")
    assert response.status_code == 200, response.text


async def test_reusing_a_rotated_cookie_ends_the_whole_sign_in(site: httpx.AsyncClient) -> None:
    profile = await register(site)
    _, first = await _cookie_login(site, profile["email"])
    rotated = await _refresh(site, first)
    second = _set_cookie(rotated)["atlas_refresh"].value
    access = rotated.json()["access_token"]

    reused = await _refresh(site, first)  # a stolen, already used cookie
    error = assert_error(reused, 401, "invalid_refresh_token")
    assert "already used" in error["message"]
    assert _set_cookie(reused)["atlas_refresh"]["max-age"] == "0"  # the browser drops it
    # Every token of that sign-in stopped working, the legitimate holder's included.
    assert_error(await _refresh(site, second), 401, "invalid_refresh_token")
    assert (await site.get("/v1/me", headers=bearer(access))).status_code == 401


async def test_refresh_without_a_token_or_cookie_is_401(site: httpx.AsyncClient) -> None:
    response = await site.post("/v1/auth/refresh", json={}, headers={"Origin": SITE})
    assert_error(response, 401, "invalid_refresh_token")


async def test_logout_by_cookie_ends_the_session_and_clears_the_cookie(
    site: httpx.AsyncClient,
) -> None:
    profile = await register(site)
    body, cookie = await _cookie_login(site, profile["email"])
    response = await site.post(
        "/v1/auth/logout",
        json={},
        headers={"Cookie": f"atlas_refresh={cookie}", "Origin": SITE},
    )
    assert response.status_code == 204
    cleared = _set_cookie(response)["atlas_refresh"]
    assert cleared.value == "" and cleared["max-age"] == "0" and cleared["path"] == "/v1/auth"
    assert_error(await _refresh(site, cookie), 401, "invalid_refresh_token")
    assert (await site.get("/v1/me", headers=bearer(body["access_token"]))).status_code == 401


async def test_password_change_in_cookie_mode_moves_the_session_to_a_new_cookie(
    site: httpx.AsyncClient,
) -> None:
    profile = await register(site)
    body, old_cookie = await _cookie_login(site, profile["email"])
    response = await site.post(
        "/v1/auth/password/change",
        json={
            "current_password": TEST_PASSWORD,
            "new_password": "another long passphrase 2",
            "cookie": True,
        },
        headers=bearer(body["access_token"]),
    )
    assert response.status_code == 200, response.text
    assert response.json()["refresh_token"] is None
    new_cookie = _set_cookie(response)["atlas_refresh"].value
    assert_error(await _refresh(site, old_cookie), 401, "invalid_refresh_token")
    assert (await _refresh(site, new_cookie)).status_code == 200


async def test_cors_lets_the_configured_web_origin_send_credentials(
    site: httpx.AsyncClient,
) -> None:
    response = await site.options(
        "/v1/auth/refresh",
        headers={
            "Origin": "http://localhost:3000",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert response.headers["access-control-allow-origin"] == "http://localhost:3000"
    assert response.headers["access-control-allow-credentials"] == "true"
    evil = await site.options(
        "/v1/auth/refresh",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
    )
    assert "access-control-allow-origin" not in evil.headers
