"""The plain-language version of a report in the browser: consent naming the host, the
rewrite labelled as such, a toggle back to the original, a refusal explained, delete."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("playwright.sync_api", reason="make dev-deps installs Playwright")

from playwright.sync_api import Page, expect

from e2e.browser_kit import WEB_OUT, Api, LiveServer, unique_email
from e2e.page_kit import assert_accessible, screenshot, sign_in
from helpers.live_server import atlas_serve
from helpers.llm_fakes import FakeModel, fake_model_server


@pytest.fixture(scope="module")
def fake_model() -> Iterator[FakeModel]:
    with fake_model_server() as fake:
        yield fake


@pytest.fixture(scope="module")
def live_server(
    e2e_ready: None, tmp_path_factory: pytest.TempPathFactory, fake_model: FakeModel
) -> Iterator[LiveServer]:
    """The product on SQLite with a (fake) language model configured."""
    root: Path = tmp_path_factory.mktemp("e2e-rewrite")
    environment = {
        "WEB_DIST_DIR": str(WEB_OUT),
        "RATE_LIMIT_ENABLED": "false",
        "LOG_LEVEL": "WARNING",
        "NARRATIVE_LLM_BASE_URL": fake_model.api_url,
        "NARRATIVE_LLM_MODEL": "fake-plain-1",
    }
    with atlas_serve(root, **environment) as url:
        yield LiveServer(url=url, data_dir=root / "data", log_path=root / "server.log")


def test_ask_for_read_toggle_and_delete_a_plain_language_version(
    page: Page, live_server: LiveServer, api: Api, fake_model: FakeModel
) -> None:
    base = live_server.url
    host = fake_model.base_url.removeprefix("http://")
    email = api.register_and_login(unique_email("rewrite"))
    report = api.complete("mini-ipip", seed=3)
    first = report["report"]["narrative"]["statements"][0]["text"]

    sign_in(page, base, email, next_path=f"/reports/{report['id']}")
    section = page.get_by_role("region", name="Plain-language version")
    section.get_by_role("button", name="Plain-language version").click()
    expect(section.get_by_text(f"Sent to: {host}")).to_be_visible()
    create = section.get_by_role("button", name="Rewrite in plain language")
    expect(create).to_be_disabled()
    assert fake_model.requests == []

    # A refusal is explained, and nothing is shown as the rewrite.
    fake_model.mode = "diagnostic"
    section.get_by_label(f"I agree to send this report's narrative to {host}").check()
    create.click()
    alert = section.get_by_role("alert")
    expect(alert).to_contain_text("The rewrite was not kept")
    expect(alert).to_contain_text("language guard")
    assert_accessible(page, "rewrite refused")

    fake_model.mode = "good"
    create.click()
    expect(section.get_by_text("Rewritten by a language model", exact=True)).to_be_visible()
    expect(section.get_by_text(f"Put simply: {first}")).to_be_visible()
    assert_accessible(page, "rewrite shown")
    screenshot(page, "report-rewrite")

    section.get_by_role("button", name="Show the original").click()
    expect(section.get_by_text("Original narrative")).to_be_visible()
    expect(section.get_by_text(f"Put simply: {first}")).to_have_count(0)
    section.get_by_role("button", name="Show the plain-language version").click()
    expect(section.get_by_text(f"Put simply: {first}")).to_be_visible()

    section.get_by_role("button", name="Delete the plain-language version").click()
    expect(section.get_by_text("The plain-language version was deleted.")).to_be_visible()
    assert api.request("GET", f"/v1/reports/{report['id']}/rewrite")["rewrite"] is None
