"""Error reports to Sentry: sent only with SENTRY_DSN, tagged with the request id, and
free of everything personal the failing request carried."""

from __future__ import annotations

import gzip
import json
import logging
import shutil
import threading
import zlib
from collections.abc import AsyncIterator, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
import sentry_sdk
from fastapi import FastAPI, Request

from helpers.api import CLIENT_IP
from helpers.databases import make_settings
from insight_atlas.app import create_app
from insight_atlas.ops.error_reporting import close_error_reporting, scrub_breadcrumb, scrub_text

EMAIL = "ada.lovelace@example.org"
PASSWORD = "correct-horse-battery-staple-17"
ACCESS_TOKEN = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiI0MiJ9.c2lnbmF0dXJlLW9mLXRoZS10b2tlbg"
REFRESH_TOKEN = "rT0k3n-Refresh_" + "Q" * 30
QUERY_TOKEN = "qT0k3n-Query_" + "Z" * 30
FREE_TEXT = "I quietly dread Thursday meetings with my manager Bartholomew"
REQUEST_ID = "req-sentry-check-0001"
SECRETS = (EMAIL, PASSWORD, ACCESS_TOKEN, REFRESH_TOKEN, QUERY_TOKEN, FREE_TEXT, "Bartholomew")


class FakeSentry:
    """A Sentry ingestion endpoint on 127.0.0.1 that keeps every envelope it receives."""

    def __init__(self) -> None:
        self.envelopes: list[bytes] = []
        self.paths: list[str] = []
        received = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                encoding = self.headers.get("Content-Encoding", "")
                if encoding == "gzip":
                    body = gzip.decompress(body)
                elif encoding == "deflate":
                    body = zlib.decompress(body)
                received.paths.append(self.path)
                received.envelopes.append(body)
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *_args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def dsn(self) -> str:
        return f"http://public@127.0.0.1:{self.server.server_address[1]}/1"

    def events(self) -> list[dict[str, Any]]:
        """The event items of every envelope (the other items are client reports)."""
        found = []
        for envelope in self.envelopes:
            lines = envelope.split(b"\n")
            for header, payload in zip(lines[1::2], lines[2::2], strict=False):
                if json.loads(header).get("type") == "event":
                    found.append(json.loads(payload))
        return found


def clear_scopes() -> None:
    for scope in (
        sentry_sdk.get_current_scope(),
        sentry_sdk.get_isolation_scope(),
        sentry_sdk.get_global_scope(),
    ):
        scope.clear()


@pytest.fixture
def fake_sentry() -> Iterator[FakeSentry]:
    sentry = FakeSentry()
    sentry.thread.start()
    yield sentry
    sentry.server.shutdown()
    sentry.server.server_close()


@pytest.fixture
async def reporting_app(
    fake_sentry: FakeSentry,
    sqlite_template: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> AsyncIterator[FastAPI]:
    for name in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY"):
        monkeypatch.delenv(name, raising=False)
    database = tmp_path / "atlas.db"
    shutil.copyfile(sqlite_template, database)
    settings = make_settings(
        f"sqlite+aiosqlite:///{database}",
        tmp_path / "data",
        sentry_dsn=fake_sentry.dsn,
        git_sha="abc123def456",
    )
    clear_scopes()
    app = create_app(settings)

    # Test-only: a route that fails after reading everything personal a request can carry.
    @app.post("/test-only/explode")
    async def explode(request: Request) -> None:
        body = await request.json()
        password, free_text = body["password"], body["free_text"]
        assert password and free_text  # locals that must not travel with the report
        raise RuntimeError(f"scoring exploded for {body['email']} ({ACCESS_TOKEN[:40]}…)")

    try:
        yield app
    finally:
        # The SDK's client and scopes are process-wide: later tests must neither report
        # here nor inherit this test's breadcrumbs or tags.
        close_error_reporting()
        clear_scopes()
        await app.state.rate_limiter.close()
        await app.state.database.engine.dispose()


async def test_unhandled_error_reaches_sentry_without_personal_data(
    reporting_app: FastAPI, fake_sentry: FakeSentry, capsys: pytest.CaptureFixture[str]
) -> None:
    assert sentry_sdk.get_client().is_active()
    transport = httpx.ASGITransport(app=reporting_app, client=(CLIENT_IP, 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        response = await http.post(
            f"/test-only/explode?token={QUERY_TOKEN}&email={EMAIL}",
            json={"email": EMAIL, "password": PASSWORD, "free_text": FREE_TEXT},
            headers={
                "Authorization": f"Bearer {ACCESS_TOKEN}",
                "Cookie": f"atlas_refresh={REFRESH_TOKEN}",
                "X-Request-ID": REQUEST_ID,
                "User-Agent": f"probe ({EMAIL})",
            },
        )
    assert response.status_code == 500
    assert response.json()["error"]["code"] == "internal_error"
    # The log line of the failure keeps the traceback, scrubbed like the report.
    logged = capsys.readouterr().out
    assert "scoring exploded for [email]" in logged
    for secret in SECRETS:
        assert secret not in logged, secret
    assert sentry_sdk.flush(timeout=10) is None

    assert all(path == "/api/1/envelope/" for path in fake_sentry.paths), fake_sentry.paths
    (event,) = fake_sentry.events()
    raw = b"\n".join(fake_sentry.envelopes).decode()
    for secret in SECRETS:
        assert secret not in raw, secret
    assert "atlas_refresh" not in raw and "Cookie" not in raw and "cookie" not in raw
    # What is there to debug with: the request id, the exception, the route, the release.
    assert REQUEST_ID in raw
    assert event["tags"]["request_id"] == REQUEST_ID
    (exception,) = event["exception"]["values"]
    assert exception["type"] == "RuntimeError"
    assert exception["value"].startswith("scoring exploded for [email]")
    frames = exception["stacktrace"]["frames"]
    assert any(frame.get("function") == "explode" for frame in frames)
    assert not any("vars" in frame for frame in frames)
    assert event["request"] == {
        "method": "POST",
        "url": "http://testserver/test-only/explode",
        "headers": {
            "x-request-id": REQUEST_ID,
            "content-type": "application/json",
            "content-length": response.request.headers["content-length"],
            "accept": "*/*",
        },
    }
    assert "user" not in event and "extra" not in event
    assert event["environment"] == "test" and event["release"] == "abc123def456"


async def test_library_errors_logged_at_error_are_reported_scrubbed(
    reporting_app: FastAPI, fake_sentry: FakeSentry
) -> None:
    logger = logging.getLogger("some.library")
    logger.info("an info line is no breadcrumb: %s", FREE_TEXT)
    logger.error("could not deliver to %s with Bearer %s", EMAIL, ACCESS_TOKEN)
    assert sentry_sdk.flush(timeout=10) is None

    (event,) = fake_sentry.events()
    raw = b"\n".join(fake_sentry.envelopes).decode()
    for secret in SECRETS:
        assert secret not in raw, secret
    assert event["logger"] == "some.library"
    assert event["logentry"] == {
        "message": "could not deliver to %s with Bearer %s",
        "formatted": "could not deliver to [email] with Bearer [redacted]",
    }
    assert not event.get("breadcrumbs", {}).get("values")


async def test_without_a_dsn_nothing_is_initialised(sqlite_template: Path, tmp_path: Path) -> None:
    database = tmp_path / "atlas.db"
    shutil.copyfile(sqlite_template, database)
    app = create_app(make_settings(f"sqlite+aiosqlite:///{database}", tmp_path / "data"))
    try:
        assert not sentry_sdk.get_client().is_active()
    finally:
        await app.state.database.engine.dispose()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("no account for ada@example.org", "no account for [email]"),
        ("header was Bearer abc.def-ghi-jkl", "header was Bearer [redacted]"),
        ("GET /v1/shared/Sh4reT0ken?x=1", "GET /v1/shared/[redacted]?x=1"),
        ("hash $argon2id$v=19$m=8192,t=1,p=1$c2FsdA$aGFzaA", "hash [redacted]"),
        (
            "(psycopg.errors.UniqueViolation) duplicate key\n[SQL: INSERT INTO user (email)"
            " VALUES (%s)]\n[parameters: ('ada@example.org', 'x]y')]\n(Background on this)",
            "(psycopg.errors.UniqueViolation) duplicate key\n[SQL: INSERT INTO user (email)"
            " VALUES (%s)]\n[parameters: [redacted]]\n(Background on this)",
        ),
        (f"token {REFRESH_TOKEN} leaked", "token [redacted] leaked"),
        # Ids and code identifiers stay: they are what an engineer searches for.
        (
            "report 1f0e4c2a-8b6d-4e1f-9a3c-5d7e9f1b2c4d of insight_atlas_assessments_service",
            "report 1f0e4c2a-8b6d-4e1f-9a3c-5d7e9f1b2c4d of insight_atlas_assessments_service",
        ),
    ],
)
def test_scrub_text_removes_addresses_and_secrets(text: str, expected: str) -> None:
    assert scrub_text(text) == expected


def test_breadcrumbs_keep_no_messages_or_data() -> None:
    assert scrub_breadcrumb({"type": "log", "message": f"sign-in for {EMAIL}"}) is None
    crumb = scrub_breadcrumb(
        {
            "type": "http",
            "category": "httplib",
            "level": "info",
            "message": "GET",
            "data": {"url": f"https://api.example/v1?token={QUERY_TOKEN}"},
        }
    )
    assert crumb == {"type": "http", "category": "httplib", "level": "info"}
