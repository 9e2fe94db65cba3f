"""Walking the API over HTTP: accounts, tokens, and the error envelope."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

TEST_PASSWORD = "a-long-enough-test-password"
CLIENT_IP = "203.0.113.7"


def unique_email(prefix: str = "user") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}@example.com"


async def register(
    client: httpx.AsyncClient, email: str | None = None, password: str = TEST_PASSWORD
) -> dict[str, Any]:
    response = await client.post(
        "/v1/auth/register", json={"email": email or unique_email(), "password": password}
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def login(
    client: httpx.AsyncClient, email: str, password: str = TEST_PASSWORD
) -> dict[str, Any]:
    response = await client.post("/v1/auth/login", json={"email": email, "password": password})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def bearer(access_token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {access_token}"}


async def signed_in_user(client: httpx.AsyncClient) -> tuple[dict[str, Any], dict[str, Any]]:
    """Register and sign in a new user; returns (profile, token pair)."""
    profile = await register(client)
    tokens = await login(client, profile["email"])
    return profile, tokens


def assert_error(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"}, body
    error: dict[str, Any] = body["error"]
    assert error["code"] == code, body
    assert error["message"]
    assert error["request_id"] == response.headers["x-request-id"]
    return error
