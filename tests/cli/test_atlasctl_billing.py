"""`atlasctl upgrade` and `atlasctl billing` against the sandbox billing of a live server."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from click.testing import Result

Atlasctl = Callable[..., Result]
Press = Callable[[str, str], None]


def test_free_plan_billing_says_how_to_upgrade(atlasctl: Atlasctl, account: Any) -> None:
    shown = atlasctl("billing").output
    assert "plan: Free (free)  status: active" in shown
    assert "upgrade PLAN" in shown and "pro_monthly (19.00 USD per month)" in shown
    assert "portal" not in shown
    document = json.loads(atlasctl("billing", "--json").stdout)
    assert document["profile"]["plan"] == "free" and document["portal"] is None


def test_upgrade_prints_the_sandbox_checkout_and_billing_follows_the_subscription(
    atlasctl: Atlasctl, account: Any, live_server: str, press: Press
) -> None:
    shown = atlasctl("upgrade", "pro_monthly").output
    assert "Open this page to subscribe to Pro Monthly (19.00 USD per month):" in shown
    checkout_url = shown.splitlines()[1]
    assert checkout_url.startswith(f"{live_server}/v1/billing/sandbox/checkout?token=")
    assert "sandbox mode" in shown
    atlasctl("upgrade", "pro_yearly", "--bogus", code=2)
    atlasctl("upgrade", "pro_weekly", code=2)

    press(checkout_url, "pay")
    billing = atlasctl("billing").output
    assert "plan: Pro Monthly (pro_monthly)  status: active" in billing
    assert re.search(r"renews on \d{4}-\d{2}-\d{2}", billing)
    portal_url = billing.splitlines()[-1]
    assert portal_url.startswith(f"{live_server}/v1/billing/sandbox/portal?token=")
    assert "Upgrade with" not in billing

    # A second checkout while subscribed: the API's refusal, readable, with the way on.
    refused = atlasctl("upgrade", "pro_yearly", code=1)
    assert "(already_subscribed, HTTP 409, request id " in refused.output
    assert "change or cancel it with: atlasctl" in refused.output

    press(portal_url, "fail_payment")
    past_due = atlasctl("billing").output
    assert "status: past_due" in past_due
    assert re.search(r"payment past due: Pro features stay until \d{4}-\d{2}-\d{2}", past_due)

    press(_portal(atlasctl), "cancel")
    ended = atlasctl("billing").output
    assert "plan: Free (free)  status: canceled" in ended
    assert "the pro_monthly subscription has ended" in ended
    assert "Billing portal (the past subscription, invoices):" in ended
    assert "Upgrade with" in ended


def _portal(atlasctl: Atlasctl) -> str:
    url: str = json.loads(atlasctl("billing", "--json").stdout)["portal"]["url"]
    return url
