"""Pro: upgrade through the sandbox checkout, take the IPIP-NEO-120, compare reports, share."""

from __future__ import annotations

import re

import pytest

pytest.importorskip("playwright.sync_api", reason="make dev-deps installs it")

from playwright.sync_api import Browser, Page, expect

from e2e.browser_kit import Api, LiveServer, unique_email
from e2e.page_kit import assert_accessible, new_context, screenshot, sign_in, sign_up

NEO_ORDER = [
    "Openness to Experience",
    "Imagination",
    "Artistic Interests",
    "Emotionality",
    "Adventurousness",
    "Intellect",
    "Liberalism",
    "Conscientiousness",
]


def test_upgrade_take_the_ipip_neo_120_and_compare_two_reports(
    page: Page, live_server: LiveServer, api: Api
) -> None:
    base = live_server.url
    email = unique_email("pro")
    sign_up(page, base, email)

    # The Pro questionnaire is marked and leads to the upgrade.
    page.get_by_role("link", name="Upgrade to Pro").click()
    page.wait_for_url(re.compile(r"/account/billing"))
    expect(page.get_by_role("heading", name="Upgrade to Pro")).to_be_visible()
    assert_accessible(page, "billing (free)")
    screenshot(page, "billing-free")
    page.get_by_role("button", name=re.compile(r"^Pro Yearly: \$190")).click()

    # The sandbox checkout stands in for Stripe's: a full page of its own.
    page.wait_for_url(re.compile(r"/v1/billing/sandbox/checkout\?token="))
    page.get_by_role("button", name=re.compile("^Pay")).click()
    page.wait_for_url(re.compile(r"/account/billing\?checkout=success"))
    expect(page.get_by_text("Welcome to Pro")).to_be_visible()
    expect(page.get_by_text("Pro Yearly").first).to_be_visible()
    expect(page.get_by_text("Renews on")).to_be_visible()
    assert_accessible(page, "billing (success)")
    screenshot(page, "billing-success")

    page.get_by_role("link", name="Take the IPIP-NEO-120").click()
    expect(page.get_by_role("heading", name="Before you start")).to_be_visible()
    page.get_by_label("Female").check()
    page.get_by_label("Age (optional)").fill("34")
    page.get_by_role("checkbox", name=re.compile("I have read this text")).check()
    page.get_by_role("button", name="Start the questionnaire").click()
    expect(page.get_by_role("heading", name="Statements 1 to 10 of 120")).to_be_visible()
    assessment_id = page.url.rsplit("/", 1)[1]

    # The test fills in the 120 answers (through the API, as another device would) …
    api.login(email)
    assessment = api.request("GET", f"/v1/assessments/{assessment_id}")
    api.answer_all(assessment, seed=7)
    # … and the page picks them up: a reload resumes on the last page.
    page.reload()
    expect(page.get_by_text("All 120 statements are answered.")).to_be_visible()
    page.get_by_role("button", name="Submit and see my report").click()
    page.wait_for_url(re.compile(r"/reports/[0-9a-f-]{8,}$"))
    expect(page.get_by_role("heading", name="Please keep in mind")).to_be_visible()
    expect(page.locator(".scale-row--facet")).to_have_count(30)
    expect(page.get_by_text("compared with women aged 21 to 40").first).to_be_visible()
    assert_accessible(page, "report (IPIP-NEO-120)")
    screenshot(page, "report-neo")

    # A second report of the same questionnaire, then compare the two from the history.
    api.complete("ipip-neo-120", seed=99, sex="female", age=34)
    page.goto(f"{base}/reports")
    expect(page.get_by_role("heading", name="My reports")).to_be_visible()
    boxes = page.get_by_role("checkbox", name=re.compile("for comparison"))
    expect(boxes).to_have_count(2)
    boxes.nth(0).check()
    boxes.nth(1).check()
    assert_accessible(page, "history")
    screenshot(page, "history")
    page.get_by_role("button", name=re.compile("^Compare selected")).click()
    page.wait_for_url(re.compile(r"/compare\?a="))
    table = page.get_by_role("table", name="Change per scale, earlier to later")
    expect(table).to_be_visible()
    rows = table.locator("tbody tr")
    expect(rows).to_have_count(35)
    # Joined and ordered by scale key: each domain, then its own facets.
    names = table.get_by_role("rowheader").all_inner_texts()
    assert names[: len(NEO_ORDER)] == NEO_ORDER, names[:10]
    assert names[names.index("Neuroticism") + 1] == "Anxiety"
    expect(
        table.get_by_text(re.compile("^(Yes: (higher|lower)|No: within measurement error)$")).first
    ).to_be_visible()
    expect(
        page.get_by_text(re.compile(r"of 35 scales changed by more than measurement error"))
    ).to_be_visible()
    assert_accessible(page, "compare")
    screenshot(page, "compare")


def test_share_link_create_open_signed_out_revoke(
    page: Page, browser: Browser, live_server: LiveServer, api: Api
) -> None:
    base = live_server.url
    email = api.register_and_login(unique_email("share"))
    api.upgrade("pro_monthly")
    report = api.complete("mini-ipip", seed=3, include_work_style=True)

    sign_in(page, base, email, next_path=f"/reports/{report['id']}")
    page.wait_for_url(re.compile(rf"/reports/{report['id']}$"))
    expect(page.get_by_role("heading", name="Please keep in mind")).to_be_visible()
    expect(page.get_by_role("heading", name="Work style")).to_be_visible()
    page.get_by_role("button", name="Share", exact=True).click()
    dialog = page.get_by_role("dialog", name="Share a read-only link")
    expect(dialog).to_be_visible()
    dialog.get_by_label("Link stops working after").select_option("30")
    dialog.get_by_role("button", name="Create link").click()
    link = dialog.get_by_label("Share link")
    expect(link).to_have_value(re.compile(rf"^{re.escape(base)}/shared/\S+$"))
    shared_url = link.input_value()
    dialog.get_by_role("button", name="Copy link").click()
    expect(dialog.get_by_role("status")).to_contain_text(re.compile("copied|Copying is blocked"))
    assert_accessible(page, "share dialog")
    screenshot(page, "share-dialog", widths=(1280,))
    dialog.get_by_role("button", name="Close").click()

    # A fresh browser, signed out: the scores, without answers, text or identity.
    stranger = new_context(browser)
    try:
        visitor = stranger.new_page()
        visitor.goto(shared_url)
        expect(visitor.get_by_role("heading", name="A shared report")).to_be_visible()
        expect(visitor.get_by_role("heading", name="Please keep in mind")).to_be_visible()
        assert visitor.url == shared_url
        expect(visitor.get_by_text("Your answers behind it")).to_have_count(0)
        expect(visitor.get_by_text(email)).to_have_count(0)
        expect(visitor.get_by_role("link", name="Sign in")).to_be_visible()
        # The norm group is described, never named (it would reveal sex and age).
        expect(visitor.get_by_text("age- and sex-matched norms").first).to_be_visible()
        assert_accessible(visitor, "shared report")
        screenshot(visitor, "shared-report")

        page.get_by_role("button", name="Share", exact=True).click()
        dialog.get_by_role("button", name="Revoke all links").click()
        expect(dialog.get_by_text("Every link to this report has stopped working.")).to_be_visible()

        visitor.reload()
        expect(visitor.get_by_role("heading", name="This link does not work")).to_be_visible()
        expect(visitor.get_by_text("invalid, has expired or was revoked")).to_be_visible()
        assert_accessible(visitor, "shared report (revoked)")
    finally:
        stranger.close()


def test_manage_in_the_portal_past_due_banner_then_paid(
    page: Page, live_server: LiveServer, api: Api
) -> None:
    email = api.register_and_login(unique_email("portal"))
    api.upgrade("pro_monthly")
    sign_in(page, live_server.url, email, next_path="/account/billing")
    page.wait_for_url(re.compile(r"/account/billing$"))
    expect(page.get_by_text("Pro Monthly").first).to_be_visible()

    page.get_by_role("button", name="Manage subscription").click()
    page.wait_for_url(re.compile(r"/v1/billing/sandbox/portal\?token="))
    page.get_by_role("button", name="Simulate a failed payment").click()
    page.wait_for_url(re.compile(r"/account/billing"))
    expect(page.get_by_text("Payment needs attention")).to_be_visible()
    expect(page.get_by_text("Payment overdue")).to_be_visible()
    assert_accessible(page, "billing (past due)")
    screenshot(page, "billing-past-due")
    # Elsewhere, a banner under the header says so and leads to the billing page.
    page.get_by_role("link", name="My reports").click()
    banner = page.get_by_role("status").filter(has_text="Update payment")
    expect(banner).to_be_visible()
    assert_accessible(page, "history (past-due banner)")
    banner.get_by_role("link", name="Update payment").click()
    page.wait_for_url(re.compile(r"/account/billing$"))

    page.get_by_role("button", name="Manage subscription").click()
    page.wait_for_url(re.compile(r"/v1/billing/sandbox/portal\?token="))
    page.get_by_role("button", name="Simulate a successful payment").click()
    page.wait_for_url(re.compile(r"/account/billing"))
    expect(page.get_by_text("Active", exact=True)).to_be_visible()
    expect(page.get_by_text("Payment needs attention")).to_have_count(0)
