"""Fixtures of the browser tests: one live server and one Chromium for the whole run."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

from e2e.browser_kit import (
    CHROMIUM,
    CHROMIUM_ARGS,
    Api,
    LiveServer,
    missing_prerequisite,
    reset_artifacts,
    run_server,
)
from e2e.page_kit import new_context
from helpers.databases import BACKENDS, create_postgres_database, drop_postgres_database

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page


@pytest.fixture(scope="session")
def e2e_ready() -> None:
    """Skips every browser test, with the reason, when the site or Chromium is missing."""
    reason = missing_prerequisite()
    if reason:
        pytest.skip(reason)
    reset_artifacts()


@pytest.fixture(scope="session", params=BACKENDS)
def live_server(
    request: pytest.FixtureRequest, e2e_ready: None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    """The whole product on SQLite (the embedded default) and, where reachable, PostgreSQL."""
    if request.param == "sqlite":
        with run_server(tmp_path_factory.mktemp("e2e-sqlite")) as server:
            yield server
        return
    database_url = create_postgres_database("atlas_e2e")
    try:
        with run_server(tmp_path_factory.mktemp("e2e-postgresql"), database_url) as server:
            yield server
    finally:
        drop_postgres_database(database_url)


# Per module, not per session: sync Playwright runs an event loop in this thread while it is
# started, and the asyncio tests that follow the browser tests need the thread to themselves.
@pytest.fixture(scope="module")
def browser(e2e_ready: None) -> Iterator[Browser]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    context = new_context(browser)
    yield context
    context.close()


@pytest.fixture
def page(context: BrowserContext, live_server: LiveServer) -> Iterator[Page]:
    """A page that fails the test on a script error or a Content-Security-Policy violation."""
    page = context.new_page()
    problems: list[str] = []

    def on_console(message: Any) -> None:
        if "Content Security Policy" in message.text:
            problems.append(f"CSP: {message.text}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    yield page
    assert not problems, "\n".join(problems)


@pytest.fixture
def api(live_server: LiveServer) -> Iterator[Api]:
    client = Api(live_server.url)
    yield client
    client.close()
