"""Things done to a page in the browser tests: accessibility scans, screenshots, keyboard."""

from __future__ import annotations

import json
import re
import time
from functools import cache
from typing import TYPE_CHECKING, Any

from e2e.browser_kit import AXE_SOURCE, PASSWORD, artifacts_dir

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Locator, Page

BLOCKING_IMPACTS = ("serious", "critical")
# Every scan of the run, written to test-artifacts/axe.json for review.
AXE_LOG: list[dict[str, Any]] = []


@cache
def _axe_source() -> str:
    source: str = AXE_SOURCE.read_text(encoding="utf-8")
    return source


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """Runs axe-core (from web/node_modules) in the page; its evaluation is not subject to CSP."""
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(_axe_source())
    violations: list[dict[str, Any]] = page.evaluate(
        """async () => {
            const result = await axe.run(document, { resultTypes: ["violations"] });
            return result.violations.map((v) => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 5).map((n) => n.target.join(" ")),
            }));
        }"""
    )
    return violations


BROKEN_TEXT = re.compile(r"\bNaN\b|\bundefined\b|\[object Object\]|\{[a-z]+\}")


def assert_accessible(page: Page, label: str) -> None:
    """No serious or critical axe violation on the page as it is now (and no broken text)."""
    text = page.locator("body").inner_text()
    broken = BROKEN_TEXT.search(text)
    assert not broken, f"{label}: the page shows {broken.group(0)!r}"
    violations = axe_violations(page)
    AXE_LOG.append({"page": label, "url": page.url, "violations": violations})
    (artifacts_dir() / "axe.json").write_text(json.dumps(AXE_LOG, indent=2))
    blocking = [v for v in violations if v["impact"] in BLOCKING_IMPACTS]
    assert not blocking, f"{label}: " + json.dumps(blocking, indent=2)


def assert_accessible_at_widths(
    page: Page, label: str, widths: tuple[int, ...] = (1280, 360)
) -> None:
    """The axe check at each width (narrow layouts scroll tables, wrap navigation …)."""
    original = page.viewport_size or {"width": 1280, "height": 900}
    try:
        for width in widths:
            page.set_viewport_size({"width": width, "height": 900})
            page.wait_for_timeout(100)
            assert_accessible(page, f"{label} at {width} px")
    finally:
        page.set_viewport_size(original)


def screenshot(page: Page, name: str, widths: tuple[int, ...] = (1280, 360)) -> None:
    """Full-page PNGs at each width under test-artifacts/, then the original size back."""
    original = page.viewport_size or {"width": 1280, "height": 900}
    for width in widths:
        page.set_viewport_size({"width": width, "height": 900})
        page.wait_for_timeout(150)
        page.screenshot(path=str(artifacts_dir() / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size(original)


def is_focused(locator: Locator) -> bool:
    return bool(locator.evaluate("(el) => el === document.activeElement"))


def tab_to(page: Page, target: Locator, limit: int = 80) -> None:
    """Presses Tab until `target` has the focus (fails after `limit` presses)."""
    for _ in range(limit):
        if is_focused(target):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {target}")


def focused_radio_name(page: Page) -> str | None:
    name = page.evaluate(
        "() => document.activeElement && document.activeElement.type === 'radio'"
        " ? document.activeElement.name : null"
    )
    return str(name) if name else None


def sign_up(page: Page, base_url: str, email: str, password: str = PASSWORD) -> None:
    """Creates an account through the sign-up form (which also signs in)."""
    page.goto(f"{base_url}/signup")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url(re.compile(r".*/assessments/new$"))


def sign_in(
    page: Page, base_url: str, email: str, password: str = PASSWORD, next_path: str = ""
) -> None:
    suffix = f"?next={next_path}" if next_path else ""
    page.goto(f"{base_url}/signin{suffix}")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()


def wait_saved(page: Page, timeout: float = 10.0) -> None:
    page.get_by_text("All answers saved").wait_for(timeout=timeout * 1000)


def start_questionnaire(page: Page, base_url: str, title: str) -> None:
    """From /assessments/new: choose, consent, start; ends on the first page of statements."""
    page.goto(f"{base_url}/assessments/new")
    page.get_by_role("button", name=f"Choose {title}").click()
    page.get_by_role("checkbox", name=re.compile("I have read this text")).check()
    page.get_by_role("button", name="Start the questionnaire").click()
    page.get_by_role("heading", name=re.compile(r"^Statements 1 to ")).wait_for()


def answer_visible_items(page: Page, values: list[int]) -> dict[str, int]:
    """Checks one answer per statement on this page (values cycle); returns name → value."""
    chosen: dict[str, int] = {}
    groups = page.locator("fieldset.item")
    for index in range(groups.count()):
        group = groups.nth(index)
        value = values[index % len(values)]
        radio = group.locator(f"input[type=radio][value='{value}']")
        radio.check()
        chosen[str(radio.get_attribute("name"))] = value
    return chosen


def report_ready_ms(page: Page) -> float | None:
    """When the report page had rendered its report (the page's own performance mark)."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        value = page.evaluate(
            "() => { const m = performance.getEntriesByName('report-ready');"
            " return m.length ? m[0].startTime : null; }"
        )
        if value is not None:
            return float(value)
        time.sleep(0.05)
    return None


def new_context(browser: Browser) -> BrowserContext:
    context = browser.new_context(
        viewport={"width": 1280, "height": 900},
        accept_downloads=True,
        locale="en-US",
        timezone_id="UTC",
    )
    context.set_default_timeout(15_000)
    return context
