"""Shared fixtures: a migrated database per backend, an app and an HTTP client per test.

Every API test runs on SQLite and, when one is reachable, on PostgreSQL. SQLite tests get
a fresh copy of a migrated template file; PostgreSQL tests share one migrated database per
run and every table is truncated after each test. Helpers live in tests/helpers/.
"""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any, Protocol

import httpx
import pytest
from fastapi import FastAPI

from helpers.api import CLIENT_IP
from helpers.databases import (
    BACKENDS,
    POSTGRES_AVAILABLE,
    PostgresDatabase,
    create_postgres_database,
    display_url,
    drop_postgres_database,
    make_settings,
    postgres_admin_url,
)
from insight_atlas import migrate
from insight_atlas.app import create_app
from insight_atlas.settings import Settings


def pytest_report_header(config: pytest.Config) -> list[str]:
    if POSTGRES_AVAILABLE:
        return [f"databases: SQLite and PostgreSQL ({display_url(postgres_admin_url())})"]
    return ["databases: SQLite only (no PostgreSQL reachable; set TEST_DATABASE_URL)"]


def pytest_terminal_summary(terminalreporter: Any) -> None:
    ran = "SQLite and PostgreSQL" if POSTGRES_AVAILABLE else "SQLite only"
    terminalreporter.write_line(f"database backends exercised: {ran}")


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


@pytest.fixture
def settings(database_url: str, tmp_path: Path, request: pytest.FixtureRequest) -> Settings:
    """The test settings, with the overrides of the test's `@pytest.mark.settings(...)`."""
    marker = request.node.get_closest_marker("settings")
    overrides = marker.kwargs if marker is not None else {}
    return make_settings(database_url, tmp_path / "data", **overrides)


class AppMaker(Protocol):
    async def __call__(self, settings: Settings | None = None, **overrides: Any) -> FastAPI: ...


@pytest.fixture
async def make_app(database_url: str, tmp_path: Path) -> AsyncIterator[AppMaker]:
    """Apps on this test's database, started as a server starts them (the app's lifespan:
    scoring workers, rate limiter, engine) and shut down after the test. `settings` or
    overrides of the test settings (helpers.databases.make_settings)."""
    async with contextlib.AsyncExitStack() as stack:

        async def make(settings: Settings | None = None, **overrides: Any) -> FastAPI:
            application = create_app(
                settings or make_settings(database_url, tmp_path / "data", **overrides)
            )
            await stack.enter_async_context(application.router.lifespan_context(application))
            return application

        yield make


@pytest.fixture
async def app(settings: Settings, make_app: AppMaker) -> FastAPI:
    return await make_app(settings)


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, client=(CLIENT_IP, 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http
