"""A new person signs up, takes the Mini-IPIP by keyboard alone, reads and prints the report."""

from __future__ import annotations

import re
import shutil
import subprocess
import unicodedata
from io import BytesIO

import pytest

pytest.importorskip("playwright.sync_api", reason="make dev-deps installs it")
pypdf = pytest.importorskip("pypdf", reason="make dev-deps installs it")

from playwright.sync_api import Page, expect  # noqa: E402

from e2e.browser_kit import LiveServer, artifacts_dir, unique_email  # noqa: E402
from e2e.page_kit import (  # noqa: E402
    assert_accessible,
    focused_radio_name,
    report_ready_ms,
    screenshot,
    sign_up,
    tab_to,
)

DOMAINS_IN_OCEAN_ORDER = [
    "Intellect/Imagination",
    "Conscientiousness",
    "Extraversion",
    "Agreeableness",
    "Neuroticism",
]
REPORT_SECTIONS = [
    "Summary",
    "Every score in detail",
    "What this may mean",
    "How reliable are these answers?",
    "Your writing",
    "Method and norms",
    "Sources",
    "Please keep in mind",
]
FREE_TEXT = (
    "I think I work best with a clear plan, and I usually enjoy helping friends. "
    "Sometimes I feel a little anxious before big meetings, but I love learning new things."
)
A4_POINTS = (595.28, 841.89)


def assert_focus_not_under_progress_bar(page: Page) -> None:
    """The sticky progress bar never covers the control that has the focus."""
    covered = page.evaluate(
        """() => {
            const bar = document.querySelector(".progress").getBoundingClientRect();
            const box = document.activeElement.closest("label, fieldset").getBoundingClientRect();
            return box.top < bar.bottom - 1 && box.bottom > bar.top;
        }"""
    )
    assert not covered, "the focused answer is under the sticky progress bar"


def answer_page_by_keyboard(page: Page, item_count: int, step: int, tab_first: bool = True) -> None:
    """Tab into each statement and answer it: number keys on some, arrow keys on others."""
    for index in range(item_count):
        if index > 0 or tab_first:
            page.keyboard.press("Tab")
        name = focused_radio_name(page)
        assert name, "Tab did not land on a statement's answers"
        if (index + step) % 2 == 0:
            page.keyboard.press(str(1 + (index + step) % 5))
        else:
            # Arrow keys move through the five answers of one statement, never to the next.
            page.keyboard.press("Space")
            for _ in range((index + step) % 4):
                page.keyboard.press("ArrowRight")
        assert focused_radio_name(page) == name, "an answer moved the focus to another statement"
        assert_focus_not_under_progress_bar(page)
        checked = page.locator(f"input[name='{name}']:checked")
        expect(checked).to_have_count(1)


def test_sign_up_take_the_mini_ipip_by_keyboard_and_print_the_report(
    page: Page, live_server: LiveServer
) -> None:
    base = live_server.url
    sign_up(page, base, unique_email("journey"))
    expect(page.get_by_role("heading", name="Choose a questionnaire")).to_be_visible()
    assert_accessible(page, "choose a questionnaire (signed in)")

    # From here on, only the keyboard.
    tab_to(page, page.get_by_role("button", name="Choose Mini-IPIP"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Before you start")).to_be_focused()
    consent = page.get_by_role("checkbox", name=re.compile("I have read this text"))
    expect(consent).not_to_be_checked()
    tab_to(page, page.get_by_role("button", name="Start the questionnaire"))
    page.keyboard.press("Enter")
    expect(page.get_by_text("Tick the box to give your consent")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/assessments/new$"))
    tab_to(page, consent)
    page.keyboard.press("Space")
    expect(consent).to_be_checked()
    assert_accessible(page, "consent")
    tab_to(page, page.get_by_role("button", name="Start the questionnaire"))
    page.keyboard.press("Enter")

    heading = page.get_by_role("heading", name="Statements 1 to 10 of 20")
    expect(heading).to_be_visible()
    assert re.search(r"/assessments/[0-9a-f-]{8,}$", page.url), page.url
    assert_accessible(page, "questionnaire page 1")
    screenshot(page, "questionnaire")

    # Enter on an unanswered page says what is missing and stays.
    tab_to(page, page.locator("input[type=radio]").first)
    page.keyboard.press("Enter")
    expect(page.get_by_text("Please answer the statements marked below")).to_be_visible()
    expect(heading).to_be_visible()
    tab_to(page, page.locator("input[type=radio]").first)

    answer_page_by_keyboard(page, 10, step=0, tab_first=False)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Statements 11 to 20 of 20")).to_be_focused()
    answer_page_by_keyboard(page, 10, step=1)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Almost done")).to_be_focused()
    expect(page.get_by_text("All 20 statements are answered.")).to_be_visible()

    page.keyboard.press("Tab")
    expect(page.get_by_label("Your text")).to_be_focused()
    page.keyboard.type(FREE_TEXT)
    expect(page.get_by_text(f"{len(FREE_TEXT)} / 5,000 characters")).to_be_visible()
    assert_accessible(page, "questionnaire last page")
    screenshot(page, "questionnaire-finish")
    tab_to(page, page.get_by_role("button", name="Submit and see my report"))
    page.keyboard.press("Enter")

    page.wait_for_url(re.compile(r"/reports/[0-9a-f-]{8,}$"))
    report_url = page.url
    for name in REPORT_SECTIONS:
        expect(page.get_by_role("heading", name=name, exact=True)).to_be_visible()
    summary = page.locator("section[aria-labelledby='summary-title'] .scale-row__name")
    expect(summary).to_have_text(DOMAINS_IN_OCEAN_ORDER)
    expect(page.get_by_text("95 % interval:").first).to_be_visible()
    # Norms derived from open data name their sample and its caveats.
    expect(
        page.get_by_text(re.compile("comes from an open online volunteer sample"))
    ).to_be_visible()
    expect(page.locator("mark", has_text="anxious").first).to_be_visible()
    # A narrative statement opens to the scores and answers behind it.
    statement = page.locator("details.statement").first
    statement.locator("summary").click()
    expect(statement.get_by_text("Your answers behind it")).to_be_visible()
    statement.locator("summary").click()
    assert_accessible(page, "report")
    screenshot(page, "report")

    expect(page.get_by_role("button", name="Print / Save as PDF")).to_be_visible()
    # A hard reload on the deep link shows the same report and keeps the address.
    page.reload()
    expect(page.get_by_role("heading", name="Please keep in mind")).to_be_visible()
    assert page.url == report_url
    ready = report_ready_ms(page)
    print(f"\nreport page interactive {ready:.0f} ms after navigation start" if ready else "")

    page.emulate_media(media="print")
    pdf = page.pdf(format="A4", print_background=True)
    page.emulate_media(media="screen")
    (artifacts_dir() / "report.pdf").write_bytes(pdf)
    document = pypdf.PdfReader(BytesIO(pdf))
    width, height = (float(value) for value in document.pages[0].mediabox.upper_right)
    assert abs(width - A4_POINTS[0]) < 2 and abs(height - A4_POINTS[1]) < 2, (width, height)
    text = " ".join(page_.extract_text() for page_ in document.pages)
    flat = re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text))
    assert "This report is a self-reflection aid, not a diagnosis." in flat
    for domain in DOMAINS_IN_OCEAN_ORDER:
        assert domain in flat, domain
    for chrome in ("Skip to content", "My reports", "Print / Save as PDF"):
        assert chrome not in flat, f"{chrome!r} printed"
    print(f"report PDF: {len(document.pages)} A4 pages")
    if shutil.which("pdftoppm"):
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                "70",
                "-f",
                "1",
                "-l",
                "1",
                "-singlefile",
                str(artifacts_dir() / "report.pdf"),
                str(artifacts_dir() / "report-pdf-page1"),
            ],
            check=True,
            timeout=60,
        )
