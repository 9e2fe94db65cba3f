"""Malformed, oversized and misrouted requests get the right 4xx and the envelope."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from sqlalchemy import text

from helpers.api import TEST_PASSWORD, assert_error, bearer, signed_in_user, unique_email


async def count_users(app: FastAPI) -> int:
    async with app.state.database.engine.connect() as connection:
        return int(await connection.scalar(text('SELECT count(*) FROM "user"')) or 0)


async def test_malformed_json_is_400(client: httpx.AsyncClient, app: FastAPI) -> None:
    response = await client.post(
        "/v1/auth/register",
        content=b'{"email": "a@example.com", "password": ',
        headers={"Content-Type": "application/json"},
    )
    assert_error(response, 400, "malformed_json")
    assert await count_users(app) == 0


async def test_wrong_types_and_missing_fields_are_422_naming_the_field(
    client: httpx.AsyncClient,
) -> None:
    wrong = await client.post("/v1/auth/login", json={"email": ["x"], "password": 5})
    error = assert_error(wrong, 422, "validation_error")
    fields = {item["field"] for item in error["details"]["fields"]}
    assert fields == {"email", "password"}
    missing = await client.post("/v1/auth/login", json={})
    assert_error(missing, 422, "validation_error")
    not_object = await client.post("/v1/auth/login", json=[1, 2])
    assert_error(not_object, 422, "validation_error")


async def test_oversized_bodies_are_413_declared_or_streamed(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    limit = app.state.settings.max_request_bytes
    big = b'{"email": "' + b"a" * (limit + 10) + b'", "password": "x"}'
    declared = await client.post(
        "/v1/auth/register", content=big, headers={"Content-Type": "application/json"}
    )
    assert_error(declared, 413, "payload_too_large")

    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(limit // 4096 + 2):
            yield b" " * 4096

    streamed = await client.post(
        "/v1/auth/register", content=chunks(), headers={"Content-Type": "application/json"}
    )
    assert_error(streamed, 413, "payload_too_large")
    assert await count_users(app) == 0


async def test_unknown_routes_and_wrong_methods(client: httpx.AsyncClient) -> None:
    assert_error(await client.get("/v1/nothing-here"), 404, "not_found")
    wrong_method = await client.get("/v1/auth/login")
    assert_error(wrong_method, 405, "method_not_allowed")
    assert "POST" in wrong_method.headers["allow"]


def api_paths(app: FastAPI) -> dict[str, set[str]]:
    """Every path template of the app's API routes and the methods served there."""

    def leaves(routes: list[Any]) -> list[Any]:
        found = []
        for route in routes:
            included = getattr(route, "original_router", None)
            found.extend(leaves(included.routes) if included is not None else [route])
        return found

    paths: dict[str, set[str]] = defaultdict(set)
    for route in leaves(app.router.routes):
        if isinstance(route, APIRoute):
            paths[route.path] |= route.methods
    return paths


def concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "00000000-0000-4000-8000-000000000000", path)


@pytest.mark.parametrize(
    ("path", "method", "allow"),
    [
        ("/v1/me", "PUT", "GET, DELETE"),
        ("/v1/reports/{id}/share", "GET", "POST, DELETE"),
        ("/v1/reports/{id}", "POST", "GET, DELETE"),
        ("/v1/auth/login", "GET", "POST"),
    ],
)
async def test_allow_lists_every_method_the_path_supports(
    client: httpx.AsyncClient, path: str, method: str, allow: str
) -> None:
    # GET and DELETE /v1/me are routes of two routers; Allow named only the first's.
    response = await client.request(method, concrete(path))
    assert_error(response, 405, "method_not_allowed")
    assert response.headers["allow"] == allow


async def test_allow_is_right_for_every_path(client: httpx.AsyncClient, app: FastAPI) -> None:
    paths = api_paths(app)
    assert len(paths) > 20
    for path, methods in paths.items():
        response = await client.request("PATCH", concrete(path))
        assert_error(response, 405, "method_not_allowed")
        assert set(response.headers["allow"].split(", ")) == methods, path


async def test_a_trailing_slash_is_404_and_never_a_redirect(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    # A redirect to the path without the slash took its host from the Host header.
    _, tokens = await signed_in_user(client)
    spoofed = {"Host": "attacker.example", **bearer(tokens["access_token"])}
    response = await client.get("/v1/me/", headers=spoofed)
    assert_error(response, 404, "not_found")
    assert "location" not in response.headers
    for path, methods in api_paths(app).items():
        assert not path.endswith("/"), path
        for method in methods:
            slashed = await client.request(method, concrete(path) + "/", headers=spoofed)
            assert_error(slashed, 404, "not_found")
            assert "location" not in slashed.headers


@pytest.mark.parametrize(
    "headers",
    [
        {"Content-Type": "application/x-www-form-urlencoded"},
        {"Content-Type": "text/plain"},
        {"Content-Type": "multipart/form-data; boundary=x"},
        {},  # no content type at all
    ],
)
@pytest.mark.parametrize(
    "path", ["/v1/auth/login", "/v1/auth/register", "/v1/auth/password/forgot"]
)
async def test_a_body_not_sent_as_json_gets_one_clear_error(
    client: httpx.AsyncClient, headers: dict[str, str], path: str
) -> None:
    body = f'{{"email": "{unique_email()}", "password": "{TEST_PASSWORD}"}}'
    response = await client.post(path, content=body, headers=headers)
    error = assert_error(response, 400, "malformed_json")
    assert "Content-Type: application/json" in error["message"]
    assert "dictionary" not in response.text


async def test_a_json_body_of_the_wrong_shape_stays_a_validation_error(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post("/v1/auth/login", json=[1, 2])
    assert_error(response, 422, "validation_error")


async def test_nul_characters_are_refused_before_the_database(client: httpx.AsyncClient) -> None:
    for path, body in (
        ("/v1/auth/login", {"email": "a\x00@example.com", "password": TEST_PASSWORD}),
        ("/v1/auth/password/forgot", {"email": "\x00"}),
        ("/v1/auth/register", {"email": unique_email(), "password": TEST_PASSWORD + "\x00"}),
    ):
        response = await client.post(path, json=body)
        assert_error(response, 422, "validation_error")
