"""Answers are saved as one goes: a reload (or another device) resumes on the same page."""

from __future__ import annotations

import re

import pytest

pytest.importorskip("playwright.sync_api", reason="make dev-deps installs it")

from playwright.sync_api import BrowserContext, Page, Route, expect

from e2e.browser_kit import LiveServer, unique_email
from e2e.page_kit import (
    answer_visible_items,
    sign_in,
    sign_up,
    start_questionnaire,
    wait_saved,
)


def test_reload_in_the_middle_resumes_on_the_same_page_with_the_answers(
    page: Page, context: BrowserContext, live_server: LiveServer
) -> None:
    base = live_server.url
    email = unique_email("resume")
    sign_up(page, base, email)
    start_questionnaire(page, base, "Mini-IPIP")
    first_page = answer_visible_items(page, [4, 2, 5, 1, 3])
    page.get_by_role("button", name="Next page").click()
    expect(page.get_by_role("heading", name="Statements 11 to 20 of 20")).to_be_visible()
    second_page = {}
    items = page.locator("fieldset.item")
    for index, value in enumerate([5, 1, 4]):
        radio = items.nth(index).locator(f"input[type=radio][value='{value}']")
        radio.check()
        second_page[str(radio.get_attribute("name"))] = value
    wait_saved(page)
    address = page.url

    page.reload()
    expect(page.get_by_role("heading", name="Statements 11 to 20 of 20")).to_be_visible()
    assert page.url == address
    expect(page.get_by_text("13 of 20 answered")).to_be_visible()
    for name, value in second_page.items():
        expect(page.locator(f"input[name='{name}'][value='{value}']")).to_be_checked()
    page.get_by_role("button", name="Back").click()
    expect(page.get_by_role("heading", name="Statements 1 to 10 of 20")).to_be_visible()
    for name, value in first_page.items():
        expect(page.locator(f"input[name='{name}'][value='{value}']")).to_be_checked()

    # Signed out and back in elsewhere: the unfinished questionnaire is offered to continue.
    other = (
        context.browser.new_context(viewport={"width": 390, "height": 844})
        if context.browser
        else None
    )
    assert other is not None
    try:
        phone = other.new_page()
        sign_in(phone, base, email, next_path="/assessments/new")
        phone.wait_for_url(re.compile(r"/assessments/new$"))
        phone.get_by_role("link", name=re.compile("^Continue")).click()
        expect(phone.get_by_role("heading", name="Statements 11 to 20 of 20")).to_be_visible()
        assert phone.url == address
    finally:
        other.close()


def test_a_failed_submit_keeps_everything_and_retry_opens_the_report(
    page: Page, live_server: LiveServer
) -> None:
    """The first submit reaches the server but its answer is lost; Retry opens that report."""
    base = live_server.url
    sign_up(page, base, unique_email("retry"))
    start_questionnaire(page, base, "Mini-IPIP")
    answer_visible_items(page, [2, 4, 3])
    page.get_by_role("button", name="Next page").click()
    answer_visible_items(page, [5, 1, 2, 4])
    page.get_by_role("button", name="Continue to finish").click()
    page.get_by_label("Your text").fill("I like quiet mornings and long walks.")

    attempts: list[int] = []

    def lose_the_answer(route: Route) -> None:
        attempts.append(route.fetch().status)  # the server scores and stores the report …
        route.abort("connectionreset")  # … and the answer never arrives

    page.route("**/v1/assessments/*/submit", lose_the_answer)
    page.get_by_role("button", name="Submit and see my report").click()
    alert = page.get_by_role("alert").filter(has_text="could not be created yet")
    expect(alert).to_be_visible()
    expect(alert).to_contain_text("All your answers are kept")
    expect(page.get_by_label("Your text")).to_have_value("I like quiet mornings and long walks.")
    assert attempts == [201]

    page.unroute("**/v1/assessments/*/submit")
    alert.get_by_role("button", name="Retry submitting").click()
    page.wait_for_url(re.compile(r"/reports/[0-9a-f-]{8,}$"))
    expect(page.get_by_role("heading", name="Please keep in mind")).to_be_visible()
    expect(page.locator("mark", has_text="quiet").first).to_be_visible()
