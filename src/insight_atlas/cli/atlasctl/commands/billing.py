"""Plans and payment: start a Pro checkout, see the subscription and its portal."""

from __future__ import annotations

from typing import Any

import click

from insight_atlas.cli.atlasctl.client import Api
from insight_atlas.cli.atlasctl.errors import ApiError
from insight_atlas.cli.atlasctl.invocation import Invocation, json_option, pass_invocation
from insight_atlas.cli.atlasctl.output import Output, day

PAID_PLANS = ("pro_monthly", "pro_yearly")


def _plans(api: Api) -> dict[str, dict[str, Any]]:
    return {plan["key"]: plan for plan in api.json("GET", "/v1/billing/plans", auth=False)}


def _price(plan: dict[str, Any]) -> str:
    amount = f"{plan['amount_cents'] / 100:,.2f} {str(plan['currency']).upper()}"
    return f"{amount} per {plan['interval']}" if plan.get("interval") else amount


@click.command()
@click.argument("plan", type=click.Choice(PAID_PLANS))
@json_option
@pass_invocation
def upgrade(invocation: Invocation, plan: str) -> None:
    """Start a Pro subscription: prints the checkout page to open in a browser."""
    api = invocation.api
    try:
        checkout = api.json("POST", "/v1/billing/checkout", json={"plan": plan})
    except ApiError as failure:
        if failure.api_code == "already_subscribed":
            failure.hints.append(f"change or cancel it with: {invocation.command('billing')}")
        raise
    out = invocation.out
    if out.json_mode:
        out.document(checkout)
        return
    chosen = _plans(api).get(plan)
    name = f"{chosen['name']} ({_price(chosen)})" if chosen else plan
    out.say(f"Open this page to subscribe to {name}:")
    out.say(checkout["url"])
    if api.json("GET", "/version", auth=False).get("billing_mode") == "sandbox":
        out.wrapped(
            "This API runs billing in sandbox mode: the page is its local stand-in for"
            " Stripe, and Pay changes the plan without any payment."
        )
    out.say(f"Afterwards, check with: {invocation.command('billing')}")


@click.command()
@json_option
@pass_invocation
def billing(invocation: Invocation) -> None:
    """Show my plan, its status, the renewal or cancel date, and the billing portal."""
    api = invocation.api
    profile = api.json("GET", "/v1/me")
    try:
        portal: dict[str, Any] | None = api.json("POST", "/v1/billing/portal")
    except ApiError as failure:
        if failure.api_code != "no_billing_account":
            raise
        portal = None
    out = invocation.out
    if out.json_mode:
        out.document({"profile": profile, "portal": portal})
        return
    plans = _plans(api)
    _print_subscription(out, profile, plans)
    if portal is not None:
        if profile["plan"] == "free":
            out.say("Billing portal (the past subscription, invoices):")
        else:
            out.say("Change plan, update the card or cancel at:")
        out.say(portal["url"])
    if profile["plan"] == "free":
        offers = " or ".join(
            f"{key} ({_price(plans[key])})" if key in plans else key for key in PAID_PLANS
        )
        out.say(f"Upgrade with: {invocation.command('upgrade PLAN')}  (PLAN: {offers})")


def _print_subscription(out: Output, profile: dict[str, Any], plans: dict[str, Any]) -> None:
    subscription = profile["subscription"]
    plan = profile["plan"]
    name = plans.get(plan, {}).get("name", plan)
    out.say(f"plan: {name} ({plan})  status: {subscription['status']}")
    period_end = day(subscription.get("current_period_end"))
    if plan != "free" and period_end:
        if subscription.get("cancel_at_period_end"):
            out.say(f"cancels on {period_end}: Pro until then, then Free")
        else:
            out.say(f"renews on {period_end}")
    elif subscription["plan"] != "free" and subscription["status"] in ("canceled", "unpaid"):
        out.say(f"the {subscription['plan']} subscription has ended")
    if profile.get("payment_past_due"):
        grace = day(subscription.get("grace_period_ends_at"))
        out.say(f"payment past due: Pro features stay until {grace}")
    if profile.get("billing_banner"):
        out.wrapped(str(profile["billing_banner"]))


COMMANDS = [upgrade, billing]
