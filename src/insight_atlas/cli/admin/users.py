"""`atlas admin user …`: one account as support needs to see it, without its secrets."""

from __future__ import annotations

import asyncio
from typing import Any

import click

from insight_atlas.accounts import repository as accounts
from insight_atlas.accounts.lockout import failures_key
from insight_atlas.assessments import repository as assessments
from insight_atlas.billing import repository as billing
from insight_atlas.billing.customer_events import EventOwner
from insight_atlas.billing.entitlements import access_for
from insight_atlas.billing.models import Subscription
from insight_atlas.cli.admin.runtime import (
    database,
    emit_json,
    fail,
    fields,
    load_settings,
    shorten,
    table,
    when,
)
from insight_atlas.db import utcnow
from insight_atlas.ops.ratelimit import RedisRateLimiter
from insight_atlas.settings import Settings

EVENTS_SHOWN = 10
SIGN_INS_SHOWN = 10


@click.group()
def user() -> None:
    """Inspect user accounts."""


async def _lockout(settings: Settings, email: str) -> dict[str, Any]:
    """The account lockout's counter; it lives in Redis, or in each API process without it."""
    if not settings.rate_limit_enabled:
        return {"locked": False, "failures": None, "note": "rate limiting is off"}
    if not settings.redis_url:
        return {"locked": None, "failures": None, "note": "no REDIS_URL: counters are per process"}
    limiter = RedisRateLimiter(settings.redis_url)
    try:
        window = await limiter.peek(failures_key(email))
    finally:
        await limiter.close()
    return {
        "locked": window.count >= settings.login_max_failures_per_account,
        "failures": window.count,
        "retry_after_seconds": window.retry_after_seconds if window.count else 0,
    }


async def _user_document(settings: Settings, email: str) -> dict[str, Any] | None:
    async with database(settings) as engine, engine.connect() as connection:
        found = await accounts.user_by_email(connection, email)
        if found is None:
            return None
        subscription = await billing.subscription_of(connection, found.id)
        sign_ins = await accounts.recent_sign_ins(connection, found.id, SIGN_INS_SHOWN)
        counts = await assessments.counts_for_user(connection, found.id)
        owner = EventOwner.of(
            found.id,
            subscription.stripe_customer_id if subscription else None,
            subscription.stripe_subscription_id if subscription else None,
        )
        events = await billing.events_touching(connection, owner, EVENTS_SHOWN)
    document: dict[str, Any] = {
        "user": {
            "id": found.id,
            "email": found.email,
            "created_at": found.created_at,
            "last_login_at": found.last_login_at,
            "password_changed_at": found.password_changed_at,
            "active": found.is_active,
            # Registration does not verify addresses; a deleted account has no row at all.
            "email_verified": None,
            "deleted": False,
            "lockout": await _lockout(settings, found.email),
        },
        "subscription": None,
        "entitlements": [],
        "events": [
            {
                "id": event.stripe_event_id,
                "type": event.type,
                "outcome": event.outcome,
                "attempts": event.attempts,
                "last_error": event.last_error,
                "received_at": event.received_at,
            }
            for event in events
        ],
        "sign_ins": [
            {
                "created_at": sign_in.created_at,
                "last_used_at": sign_in.last_used_at,
                "revoked_at": sign_in.revoked_at,
                "revoked_reason": sign_in.revoked_reason,
            }
            for sign_in in sign_ins
        ],
        "assessments": {
            "started": counts.assessments,
            "submitted": counts.submitted,
            "reports": counts.reports,
        },
    }
    if subscription is not None:
        access = access_for(
            Subscription(
                plan=subscription.plan,
                status=subscription.status,
                grace_period_ends_at=subscription.grace_period_ends_at,
            ),
            utcnow(),
        )
        document["subscription"] = {
            "plan": subscription.plan,
            "status": subscription.status,
            "current_period_end": subscription.current_period_end,
            "cancel_at_period_end": subscription.cancel_at_period_end,
            "grace_period_ends_at": subscription.grace_period_ends_at,
            "stripe_customer_id": subscription.stripe_customer_id,
            "stripe_subscription_id": subscription.stripe_subscription_id,
            "stripe_price_id": subscription.stripe_price_id,
            "effective_plan": access.plan,
        }
        document["entitlements"] = access.entitlements
    return document


def _yes_no(value: bool | None) -> str:
    return "unknown" if value is None else ("yes" if value else "no")


def _print(document: dict[str, Any]) -> None:
    account = document["user"]
    lockout = account["lockout"]
    locked = _yes_no(lockout["locked"])
    if lockout.get("failures"):
        locked += f" ({lockout['failures']} wrong passwords in the window)"
    if lockout.get("note"):
        locked += f" ({lockout['note']})"
    click.echo(f"User {account['id']}  {account['email']}")
    fields(
        [
            ("created", when(account["created_at"])),
            ("last sign-in", when(account["last_login_at"])),
            ("active", _yes_no(account["active"])),
            ("verified", "not tracked (addresses are not verified)"),
            ("locked", locked),
            ("deleted", "no"),
        ]
    )
    click.echo("\nSubscription")
    sub = document["subscription"]
    if sub is None:
        click.echo("  (no subscription row)")
    else:
        fields(
            [
                ("plan", f"{sub['plan']} (in force: {sub['effective_plan']})"),
                ("status", sub["status"]),
                ("period end", when(sub["current_period_end"])),
                ("cancel at period end", _yes_no(sub["cancel_at_period_end"])),
                ("grace period ends", when(sub["grace_period_ends_at"])),
                ("stripe customer", sub["stripe_customer_id"] or "-"),
                ("stripe subscription", sub["stripe_subscription_id"] or "-"),
            ]
        )
    click.echo(f"\nEntitlements in force\n  {', '.join(document['entitlements']) or '-'}")
    counts = document["assessments"]
    click.echo(
        f"\nAssessments: {counts['started']} started, {counts['submitted']} submitted;"
        f" reports: {counts['reports']}"
    )
    click.echo("\nRecent webhook events")
    table(
        ["event", "type", "outcome", "attempts", "received", "error"],
        [
            [
                event["id"],
                event["type"],
                event["outcome"] or "-",
                str(event["attempts"]),
                when(event["received_at"]),
                shorten(event["last_error"], 50),
            ]
            for event in document["events"]
        ],
    )
    click.echo("\nRecent sign-ins")
    table(
        ["created", "last used", "revoked", "reason"],
        [
            [
                when(s["created_at"]),
                when(s["last_used_at"]),
                when(s["revoked_at"]),
                s["revoked_reason"] or "-",
            ]
            for s in document["sign_ins"]
        ],
    )


@user.command("show")
@click.argument("email")
@click.option("--json", "as_json", is_flag=True, help="One JSON document, for scripts.")
def show(email: str, as_json: bool) -> None:
    """The account, its subscription and entitlements, webhook events, sign-ins and counts."""
    settings = load_settings()
    document = asyncio.run(_user_document(settings, email))
    if document is None:
        fail(
            f"no user with e-mail {accounts.normalise_email(email)} (never registered, or deleted)"
        )
    if as_json:
        emit_json(document)
    else:
        _print(document)
