"""Privacy rights in the browser: export one's data, delete the account, then it is gone."""

from __future__ import annotations

import json
import re

import pytest

pytest.importorskip("playwright.sync_api", reason="make dev-deps installs Playwright")

from playwright.sync_api import Page, expect

from e2e.browser_kit import PASSWORD, Api, LiveServer, artifacts_dir, unique_email
from e2e.page_kit import assert_accessible, screenshot, sign_in


def test_export_my_data_then_delete_the_account(
    page: Page, live_server: LiveServer, api: Api
) -> None:
    base = live_server.url
    email = api.register_and_login(unique_email("privacy"))
    report = api.complete("mini-ipip", seed=5)

    sign_in(page, base, email, next_path="/account")
    page.wait_for_url(re.compile(r"/account$"))
    expect(page.get_by_role("heading", name="Account", exact=True)).to_be_visible()
    expect(page.get_by_text(email)).to_be_visible()
    assert_accessible(page, "account")
    screenshot(page, "account")

    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download my data").click()
    download = download_info.value
    assert download.suggested_filename.startswith("insight-atlas-export-")
    assert download.suggested_filename.endswith(".json")
    path = artifacts_dir() / "export.json"
    download.save_as(path)
    exported = json.loads(path.read_text())
    assert report["id"] in json.dumps(exported)
    assert email in json.dumps(exported)
    path.unlink()

    page.get_by_label("Your password, to confirm").fill(PASSWORD)
    page.get_by_role("button", name="Delete my account").click()
    dialog = page.get_by_role("dialog", name="Delete your account for good?")
    expect(dialog).to_be_visible()
    assert_accessible(page, "delete account dialog")
    dialog.get_by_role("button", name="Delete my account").click()
    page.wait_for_url(re.compile(r"/\?goodbye=1$"))
    expect(page.get_by_text("Your account has been deleted")).to_be_visible()

    sign_in(page, base, email)
    expect(page.get_by_role("alert").filter(has_text="incorrect")).to_contain_text(
        "The e-mail address or password is incorrect."
    )
    expect(page).to_have_url(re.compile(r"/signin"))
    assert_accessible(page, "sign in (failed)")
