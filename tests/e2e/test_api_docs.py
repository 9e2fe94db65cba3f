"""The API's documentation pages work in a real browser: served by us, allowed by our CSP."""

from __future__ import annotations

import pytest

pytest.importorskip("playwright.sync_api", reason="make dev-deps installs it")

from playwright.sync_api import BrowserContext, Page, expect

from e2e.browser_kit import LiveServer
from e2e.page_kit import screenshot


def test_swagger_ui_lists_the_operations(page: Page, live_server: LiveServer) -> None:
    # The page fixture fails the test on any script error or CSP violation.
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(f"{live_server.url}/docs")
    expect(page.get_by_text("Insight Atlas API").first).to_be_visible()
    # Operations of several tags, rendered from /openapi.json.
    for path in ("/v1/auth/login", "/v1/assessments/{assessment_id}/submit", "/v1/me/export"):
        expect(page.get_by_text(path, exact=True).first).to_be_visible()
    screenshot(page, "api-docs")
    assert requested and all(url.startswith(live_server.url) for url in requested), requested


def test_redoc_renders_the_reference(context: BrowserContext, live_server: LiveServer) -> None:
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on(
        "console",
        lambda message: (
            problems.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.goto(f"{live_server.url}/redoc")
    expect(page.get_by_text("Insight Atlas API").first).to_be_visible(timeout=15_000)
    expect(page.get_by_text("/v1/auth/login").first).to_be_attached()
    # ReDoc always tries to show Redocly's logo from their CDN; our policy blocks exactly
    # that image (it then hides it), and nothing else is refused or fetched elsewhere.
    assert all("cdn.redoc.ly/redoc/logo-mini.svg" in problem for problem in problems), problems
    page.close()
