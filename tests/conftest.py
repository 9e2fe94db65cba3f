"""Shared fixtures: a migrated database per backend, an app and an HTTP client per test.

Every API test runs on SQLite and, when one is reachable, on PostgreSQL. SQLite tests get
a fresh copy of a migrated template file; PostgreSQL tests share one migrated database per
run and every table is truncated after each test.
"""

from __future__ import annotations

import os
import shutil
import socket
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import psycopg
import pytest
from fastapi import FastAPI
from sqlalchemy.engine import make_url

from insight_atlas import migrate
from insight_atlas.app import create_app
from insight_atlas.models import Base
from insight_atlas.settings import Settings

DEFAULT_POSTGRES_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
TEST_PASSWORD = "a-long-enough-test-password"
CLIENT_IP = "203.0.113.7"


def postgres_admin_url() -> str:
    return os.environ.get("TEST_DATABASE_URL", DEFAULT_POSTGRES_URL)


def _reachable(url: str) -> bool:
    parts = urlsplit(url.replace("postgresql+asyncpg", "postgresql"))
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 5432), 1):
            return True
    except OSError:
        return False


POSTGRES_AVAILABLE = _reachable(postgres_admin_url())
if os.environ.get("TEST_REQUIRE_POSTGRES") == "1" and not POSTGRES_AVAILABLE:
    raise RuntimeError(f"TEST_REQUIRE_POSTGRES=1 but {postgres_admin_url()} is unreachable")
BACKENDS = ["sqlite", "postgresql"] if POSTGRES_AVAILABLE else ["sqlite"]


def pytest_report_header(config: pytest.Config) -> list[str]:
    if POSTGRES_AVAILABLE:
        return [f"databases: SQLite and PostgreSQL ({_display(postgres_admin_url())})"]
    return ["databases: SQLite only (no PostgreSQL reachable; set TEST_DATABASE_URL)"]


def pytest_terminal_summary(terminalreporter: Any) -> None:
    ran = "SQLite and PostgreSQL" if POSTGRES_AVAILABLE else "SQLite only"
    terminalreporter.write_line(f"database backends exercised: {ran}")


def _display(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def psycopg_dsn(async_url: str) -> str:
    url = make_url(async_url).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


@dataclass
class PostgresDatabase:
    url: str

    def truncate_all(self) -> None:
        names = ", ".join(f'"{table.name}"' for table in Base.metadata.sorted_tables)
        with psycopg.connect(psycopg_dsn(self.url), autocommit=True) as connection:
            connection.execute(f"TRUNCATE {names} RESTART IDENTITY CASCADE")


def create_postgres_database(prefix: str = "atlas_test") -> str:
    admin = postgres_admin_url()
    name = f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    with psycopg.connect(psycopg_dsn(admin), autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    return make_url(admin).set(database=name).render_as_string(hide_password=False)


def drop_postgres_database(url: str) -> None:
    name = make_url(url).database
    with psycopg.connect(psycopg_dsn(postgres_admin_url()), autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "atlas.db"
    migrate.upgrade(f"sqlite+aiosqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[PostgresDatabase]:
    if not POSTGRES_AVAILABLE:
        pytest.skip("PostgreSQL not reachable")
    url = create_postgres_database()
    migrate.upgrade(url)
    yield PostgresDatabase(url)
    drop_postgres_database(url)


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def database_url(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path
) -> Iterator[str]:
    if backend == "sqlite":
        path = tmp_path / "atlas.db"
        shutil.copyfile(sqlite_template, path)
        yield f"sqlite+aiosqlite:///{path}"
        return
    database: PostgresDatabase = request.getfixturevalue("postgres_database")
    try:
        yield database.url
    finally:
        database.truncate_all()


def make_settings(database_url: str, data_dir: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "atlas_env": "test",
        "database_url": database_url,
        "atlas_data_dir": data_dir,
        "secret_key": "test-secret-key-" + "x" * 32,
        # Cheap argon2id parameters: the tests exercise the logic, not the cost.
        "password_hash_time_cost": 1,
        "password_hash_memory_kib": 8192,
        "redis_url": "",
        "mail_backend": "outbox",
        "log_level": "INFO",
        "stripe_secret_key": "",
        # Inline scoring: a process pool per test app would dominate the suite's time.
        "engine_processes": 0,
        # The API alone: tests of the site pass their own export (tests/ops/test_website.py).
        "web_dist_dir": "off",
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return make_settings(database_url, tmp_path / "data")


@pytest.fixture
async def app(settings: Settings) -> AsyncIterator[FastAPI]:
    application = create_app(settings)
    yield application
    await application.state.rate_limiter.close()
    await application.state.database.engine.dispose()


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, client=(CLIENT_IP, 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


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
