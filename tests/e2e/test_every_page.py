"""Every route: a title, a description, no serious accessibility problem, a screenshot."""

from __future__ import annotations

import re

import httpx
import pytest

pytest.importorskip("playwright.sync_api", reason="make dev-deps installs it")

from playwright.sync_api import Browser, Page, expect

from e2e.browser_kit import Api, LiveServer, unique_email
from e2e.page_kit import assert_accessible, assert_accessible_at_widths, screenshot, sign_in

# (path, a heading the page shows, screenshot name or None); the first three are also seen dark.
SIGNED_OUT = [
    ("/", "Understand yourself, with the evidence showing.", "home"),
    ("/pricing", "Simple plans. Your result is always free.", "pricing"),
    ("/signup", "Create your account", "signup"),
    ("/signin", "Sign in", "signin"),
    ("/forgot-password", "Forgot your password?", None),
    ("/reset-password", "Choose a new password", None),
    ("/assessments/new", "Choose a questionnaire", "choose-questionnaire"),
    ("/shared/not-a-real-token", "This link does not work", None),
    ("/no-such-page", "This page does not exist", "not-found"),
]


def assert_page_basics(page: Page, label: str) -> None:
    title = page.title()
    assert title and "Insight Atlas" in title, f"{label}: title {title!r}"
    description = page.locator("meta[name='description']").get_attribute("content")
    assert description and len(description) > 30, f"{label}: no meta description"
    assert page.locator("html").get_attribute("lang") == "en"
    expect(page.get_by_role("main")).to_have_count(1)
    assert_accessible_at_widths(page, label)


@pytest.mark.parametrize(("path", "heading", "shot"), SIGNED_OUT, ids=[p for p, _, _ in SIGNED_OUT])
def test_signed_out_pages(
    page: Page, live_server: LiveServer, path: str, heading: str, shot: str | None
) -> None:
    response = page.goto(f"{live_server.url}{path}")
    assert response is not None
    assert response.status == (404 if path == "/no-such-page" else 200)
    expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
    assert page.url == f"{live_server.url}{path}"
    assert_page_basics(page, f"{path} (signed out)")
    if shot:
        screenshot(page, shot)


@pytest.mark.parametrize("path", ["/reports", "/account", "/account/billing", "/compare?a=x&b=y"])
def test_private_pages_send_a_signed_out_visitor_to_sign_in_and_back(
    page: Page, live_server: LiveServer, api: Api, path: str
) -> None:
    email = api.register_and_login(unique_email("private"))
    page.goto(f"{live_server.url}{path}")
    page.wait_for_url(re.compile(r"/signin\?next="))
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password", exact=True).fill("a calm and long passphrase")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(re.escape(path.split("?")[0])))


def test_signed_in_pages(page: Page, live_server: LiveServer, api: Api) -> None:
    base = live_server.url
    email = api.register_and_login(unique_email("pages"))
    sign_in(page, base, email)
    page.wait_for_url(re.compile(r"/reports$"))
    expect(page.get_by_role("heading", name="No reports yet")).to_be_visible()
    assert_page_basics(page, "history (empty)")
    screenshot(page, "history-empty")

    in_progress = api.start("mini-ipip")
    report = api.complete("mini-ipip", seed=11)
    pages = [
        ("/assessments/new", "Continue where you left off", "choose-questionnaire-signed-in"),
        (f"/assessments/{in_progress['id']}", "Statements 1 to 10 of 20", None),
        ("/reports", "My reports", None),
        (f"/reports/{report['id']}", "Please keep in mind", None),
        ("/account", "Your data", None),
        ("/account/billing", "Upgrade to Pro", None),
        (f"/compare?a={report['id']}&b={report['id']}", "What changed", None),
    ]
    for path, heading, shot in pages:
        page.goto(f"{base}{path}")
        expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
        # Deep links keep their address after the page has loaded (no redirect to `_`).
        assert page.url == f"{base}{path}", page.url
        assert_page_basics(page, f"{path} (signed in)")
        if shot:
            screenshot(page, shot)
    # Comparing is Pro: the API's refusal is shown in words, with the way to upgrade.
    expect(page.get_by_text("This needs the Pro Monthly plan or higher.")).to_be_visible()


def test_checkout_cancelled_says_nothing_was_charged(
    page: Page, live_server: LiveServer, api: Api
) -> None:
    email = api.register_and_login(unique_email("cancel"))
    sign_in(page, live_server.url, email, next_path="/account/billing")
    page.wait_for_url(re.compile(r"/account/billing$"))
    page.get_by_role("button", name=re.compile(r"^Pro Monthly: \$19")).click()
    page.wait_for_url(re.compile(r"/v1/billing/sandbox/checkout"))
    page.get_by_role("button", name="Cancel").click()
    page.wait_for_url(re.compile(r"/account/billing\?checkout=cancel"))
    expect(page.get_by_text("Checkout cancelled")).to_be_visible()
    expect(page.get_by_text("Nothing was charged.")).to_be_visible()
    assert_accessible(page, "billing (cancelled)")


def test_robots_and_sitemap(live_server: LiveServer) -> None:
    robots = httpx.get(f"{live_server.url}/robots.txt")
    assert (
        robots.status_code == 200
        and "Sitemap:" in robots.text
        and "Disallow: /account" in robots.text
    )
    sitemap = httpx.get(f"{live_server.url}/sitemap.xml")
    assert (
        sitemap.status_code == 200
        and "<urlset" in sitemap.text
        and "/pricing</loc>" in sitemap.text
    )


def test_dark_mode_keeps_contrast(browser: Browser, live_server: LiveServer, api: Api) -> None:
    """The same pages with `prefers-color-scheme: dark`: still no serious axe violation."""
    email = api.register_and_login(unique_email("dark"))
    report = api.complete("mini-ipip", seed=21, include_work_style=True)
    context = browser.new_context(color_scheme="dark", viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        for path, heading, _shot in SIGNED_OUT[:3]:
            page.goto(f"{live_server.url}{path}")
            expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
            assert_accessible(page, f"{path} (dark)")
        sign_in(page, live_server.url, email, next_path=f"/reports/{report['id']}")
        expect(page.get_by_role("heading", name="Please keep in mind")).to_be_visible()
        assert_accessible(page, "report (dark)")
        screenshot(page, "report-dark", widths=(1280,))
        page.goto(f"{live_server.url}/account")
        expect(page.get_by_role("heading", name="Delete my account")).to_be_visible()
        assert_accessible(page, "account (dark)")
    finally:
        context.close()
