"""Health, readiness, version, metrics, request ids, logs, errors and security headers."""

from __future__ import annotations

import asyncio
import json
import re
import sqlite3
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from helpers.api import CLIENT_IP, assert_error, signed_in_user
from helpers.databases import make_settings
from insight_atlas import migrate
from insight_atlas.app import create_app
from insight_atlas.settings import Settings


async def test_healthz_is_ok_without_touching_the_database(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    await app.state.database.engine.dispose()
    app.state.database.engine.pool.connect = None  # any database use would now fail
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_readyz_reports_database_and_migration_head(client: httpx.AsyncClient) -> None:
    response = await client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response.json()["migrations"] == ",".join(migrate.head_revisions())
    assert response.json()["schema_state"] == "at_head"


async def _readyz(url: str, tmp_path: Path) -> httpx.Response:
    """/readyz of a fresh app on the database at ``url``."""
    app = create_app(make_settings(url, tmp_path))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as client:
        response = await client.get("/readyz")
    await app.state.database.engine.dispose()
    return response


async def test_readyz_is_503_when_migrations_are_not_at_head(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}"
    await asyncio.to_thread(migrate.upgrade, url)
    await asyncio.to_thread(migrate.downgrade, url, "base")
    response = await _readyz(url, tmp_path)
    error = assert_error(response, 503, "not_ready")
    assert "migrations not at head" in error["message"]
    assert "atlas db upgrade" in error["message"]


async def _readyz_with_schema_at(tmp_path: Path, revision: str) -> httpx.Response:
    """/readyz of this release on a database whose schema is recorded at ``revision``."""
    path = tmp_path / "schema.db"
    url = f"sqlite+aiosqlite:///{path}"
    await asyncio.to_thread(migrate.upgrade, url)
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE alembic_version SET version_num = ?", (revision,))
    return await _readyz(url, tmp_path)


async def test_readyz_is_ready_on_a_schema_a_newer_release_migrated(tmp_path: Path) -> None:
    # After a rollback the previous release runs on the newer, expanded schema.
    response = await _readyz_with_schema_at(tmp_path, "0099_from_a_newer_release")
    assert response.status_code == 200, response.text
    assert response.json()["migrations"] == "0099_from_a_newer_release"
    assert response.json()["schema_state"] == "newer"


async def test_readyz_is_503_on_a_schema_behind_this_release(tmp_path: Path) -> None:
    # A revision this release ships that is not its head: the schema is behind.
    behind = sorted(migrate.known_revisions() - set(migrate.head_revisions()))[-1]
    response = await _readyz_with_schema_at(tmp_path, behind)
    error = assert_error(response, 503, "not_ready")
    assert f"database at {behind}" in error["message"]


async def test_readyz_is_503_when_the_database_is_unreachable(tmp_path: Path) -> None:
    url = "postgresql+asyncpg://postgres@127.0.0.1:1/nowhere"
    response = await _readyz(url, tmp_path)
    error = assert_error(response, 503, "not_ready")
    assert "database unreachable" in error["message"]


async def test_version_reports_build_environment_and_billing_mode(
    client: httpx.AsyncClient,
) -> None:
    body = (await client.get("/version")).json()
    assert set(body) == {"version", "git_sha", "environment", "billing_mode"}
    assert body["environment"] == "test"
    assert body["billing_mode"] == "sandbox"
    assert body["git_sha"]


async def test_metrics_count_requests_by_route_template(client: httpx.AsyncClient) -> None:
    _, tokens = await signed_in_user(client)
    await client.get("/v1/me", headers={"Authorization": f"Bearer {tokens['access_token']}"})
    await client.get("/no/such/path/123")
    text = (await client.get("/metrics")).text
    assert 'atlas_http_requests_total{method="GET",route="/v1/me",status="200"}' in text
    assert 'route="<unmatched>",status="404"' in text
    assert "/no/such/path/123" not in text


async def test_request_id_is_echoed_when_sane_and_generated_otherwise(
    client: httpx.AsyncClient,
) -> None:
    given = await client.get("/healthz", headers={"X-Request-ID": "trace-abc-12345"})
    assert given.headers["x-request-id"] == "trace-abc-12345"
    for insane in ("short", "x" * 200, "has spaces in it", "semi;colon;injection"):
        response = await client.get("/healthz", headers={"X-Request-ID": insane})
        assert response.headers["x-request-id"] != insane
        assert len(response.headers["x-request-id"]) == 32


async def test_every_log_line_of_a_request_is_json_with_its_request_id(
    client: httpx.AsyncClient, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    await client.post(
        "/v1/auth/password/forgot",
        json={"email": "nobody@example.com"},
        headers={"X-Request-ID": "req-logs-000001"},
    )
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.strip()]
    ours = [line for line in lines if line.get("request_id") == "req-logs-000001"]
    access = [line for line in ours if line["event"] == "request"]
    assert len(access) == 1
    assert access[0]["method"] == "POST"
    assert access[0]["route"] == "/v1/auth/password/forgot"
    assert access[0]["status"] == 202
    assert access[0]["duration_ms"] >= 0


async def test_unhandled_errors_become_a_500_envelope_without_a_stack_trace(
    app: FastAPI, capsys: pytest.CaptureFixture[str]
) -> None:
    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("secret internals /etc/passwd")

    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, raise_app_exceptions=False),
        base_url="http://testserver",
    ) as client:
        response = await client.get("/boom", headers={"X-Request-ID": "req-boom-0000001"})
    error = assert_error(response, 500, "internal_error")
    assert "secret internals" not in response.text
    assert "Traceback" not in response.text
    assert error["request_id"] == "req-boom-0000001"
    logged = capsys.readouterr().out
    assert "secret internals" in logged  # operators get the details, in the log


async def test_security_headers_on_every_response(client: httpx.AsyncClient) -> None:
    for response in (await client.get("/healthz"), await client.get("/missing")):
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["referrer-policy"] == "no-referrer"
        assert "strict-transport-security" not in response.headers


async def test_hsts_only_in_production(tmp_path: Path) -> None:
    from insight_atlas.ops.middleware import RequestContextMiddleware

    async def plain(scope: object, receive: object, send: object) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})  # type: ignore[operator]
        await send({"type": "http.response.body", "body": b"ok"})  # type: ignore[operator]

    for hsts in (True, False):
        wrapped = RequestContextMiddleware(plain, hsts=hsts)  # type: ignore[arg-type]
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=wrapped), base_url="http://testserver"
        ) as client:
            response = await client.get("/")
        assert ("strict-transport-security" in response.headers) is hsts


async def test_cors_allows_configured_origins_only(database_url: str, tmp_path: Path) -> None:
    settings: Settings = make_settings(
        database_url, tmp_path, cors_origins=["https://app.example.com"]
    )
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app, client=(CLIENT_IP, 1))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        allowed = await client.options(
            "/v1/me",
            headers={
                "Origin": "https://app.example.com",
                "Access-Control-Request-Method": "GET",
                "Access-Control-Request-Headers": "authorization",
            },
        )
        denied = await client.get("/healthz", headers={"Origin": "https://evil.example"})
    await app.state.database.engine.dispose()
    assert allowed.headers["access-control-allow-origin"] == "https://app.example.com"
    assert "access-control-allow-origin" not in denied.headers


async def test_documentation_pages_are_served_after_every_api_route(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    for path in ("/openapi.json", "/docs", "/redoc"):
        assert (await client.get(path)).status_code == 200, path
    assert "/v1/assessments/{assessment_id}/submit" in (await client.get("/openapi.json")).text
    # Routes are tried in order: the documentation pages come last, not before each request.
    *_, docs_router, schema = app.router.routes
    assert getattr(schema, "path", None) == "/openapi.json"
    docs_paths = [route.path for route in docs_router.original_router.routes]  # type: ignore[attr-defined]
    assert docs_paths == ["/docs", "/redoc", "/docs/assets/{name}"]


@pytest.mark.parametrize("path", ["/docs", "/redoc"])
async def test_documentation_pages_load_everything_from_here(
    client: httpx.AsyncClient, path: str
) -> None:
    page = await client.get(path)
    csp = page.headers["content-security-policy"]
    assert "script-src 'self';" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    html = page.text
    # No inline script (it would be blocked) and nothing from another host.
    assert "<script>" not in html and "http" not in html
    for asset in re.findall(r'(?:src|href)="(/docs/assets/[^"]+)"', html):
        response = await client.get(asset)
        assert response.status_code == 200, asset
        assert len(response.content) > 100, asset
    assert_error(await client.get("/docs/assets/../../settings.py"), 404, "not_found")
    assert_error(await client.get("/docs/assets/nope.js"), 404, "not_found")
