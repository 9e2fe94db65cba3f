"""Forgot password → the link from the mail → a new password → sign in with it."""

from __future__ import annotations

import re

import pytest

pytest.importorskip("playwright.sync_api", reason="make dev-deps installs it")

from playwright.sync_api import Page, expect

from e2e.browser_kit import Api, LiveServer, newest_mail, unique_email
from e2e.page_kit import assert_accessible, screenshot, sign_in

NEW_PASSWORD = "a brand new and longer passphrase"
RESET_LINK = re.compile(r"https?://[^\s\"'<>]+/reset-password\?token=[A-Za-z0-9_\-.~%]+")


def test_forgot_password_mail_link_reset_and_sign_in(
    page: Page, live_server: LiveServer, api: Api
) -> None:
    base = live_server.url
    email = api.register_and_login(unique_email("reset"))

    page.goto(f"{base}/signin")
    page.get_by_role("link", name="Forgot your password?").click()
    expect(page.get_by_role("heading", name="Forgot your password?")).to_be_visible()
    assert_accessible(page, "forgot password")
    screenshot(page, "forgot-password")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_role("button", name="Send the reset link").click()
    expect(page.get_by_text("Check your e-mail")).to_be_visible()

    match = RESET_LINK.search(newest_mail(live_server.outbox))
    assert match, "no /reset-password?token= link in the newest mail"
    link = match.group(0)
    assert link.startswith(base)

    page.goto(link)
    expect(page.get_by_role("heading", name="Choose a new password")).to_be_visible()
    # The token has been read; the address bar no longer shows it.
    expect(page).to_have_url(f"{base}/reset-password")
    assert_accessible(page, "reset password")
    screenshot(page, "reset-password")
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("New password, again").fill("something else entirely")
    page.get_by_role("button", name="Save the new password").click()
    expect(page.get_by_text("The two passwords are not the same.")).to_be_visible()
    page.get_by_label("New password, again").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Save the new password").click()
    expect(page.get_by_text("Your password has been changed.")).to_be_visible()

    page.goto(link)
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD + "!")
    page.get_by_label("New password, again").fill(NEW_PASSWORD + "!")
    page.get_by_role("button", name="Save the new password").click()
    expect(page.get_by_role("alert").filter(has_text="reset")).to_be_visible()
    expect(page.get_by_role("link", name="Ask for a new reset link")).to_be_visible()

    sign_in(page, base, email, password=NEW_PASSWORD)
    page.wait_for_url(re.compile(r"/reports$"))
    expect(page.get_by_role("heading", name="My reports")).to_be_visible()
