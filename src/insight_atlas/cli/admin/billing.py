"""`atlas admin billing …`: our subscription rows against Stripe's."""

from __future__ import annotations

import asyncio
from typing import Any

import click
import stripe

from insight_atlas.accounts import repository as accounts
from insight_atlas.billing import reconcile as reconciling
from insight_atlas.billing import repository
from insight_atlas.cli.admin.runtime import (
    EXIT_PROBLEMS,
    Problem,
    database,
    emit_json,
    fail,
    load_settings,
    table,
)
from insight_atlas.settings import Settings


@click.group()
def billing() -> None:
    """Billing: compare with Stripe and repair."""


async def _records(settings: Settings, email: str) -> list[repository.SubscriptionRecord]:
    async with database(settings) as engine, engine.connect() as connection:
        found = await accounts.user_by_email(connection, email)
        if found is None:
            raise Problem(f"no user with e-mail {accounts.normalise_email(email)}")
        record = await repository.subscription_of(connection, found.id)
    if record is None or record.stripe_subscription_id is None:
        raise Problem(f"{found.email} has no Stripe subscription linked; nothing to reconcile")
    return [record]


async def _reconcile(
    settings: Settings, email: str | None, fix: bool
) -> list[reconciling.Reconciliation]:
    selected = await _records(settings, email) if email else None
    results = []
    async with database(settings) as engine, reconciling.stripe_view(settings, engine) as view:
        records = (
            _iterate(selected) if selected is not None else reconciling.linked_subscriptions(engine)
        )
        async for record in records:
            results.append(await reconciling.reconcile_one(engine, settings, view, record, fix))
    return results


async def _iterate(records: list[repository.SubscriptionRecord]) -> Any:
    for record in records:
        yield record


def _state(result: reconciling.Reconciliation) -> str:
    if result.error:
        return f"error: {result.error}"
    if result.fixed:
        return "fixed"
    return "differs" if result.differences else "in sync"


@billing.command("reconcile")
@click.argument("email", required=False)
@click.option("--all", "every", is_flag=True, help="Every user linked to a Stripe subscription.")
@click.option("--fix", is_flag=True, help="Apply Stripe's state through the webhook handler.")
@click.option("--json", "as_json", is_flag=True, help="One JSON document, for scripts.")
def reconcile(email: str | None, every: bool, fix: bool, as_json: bool) -> None:
    """List differences in plan, status, period end and cancel flag; exit 1 if any remain."""
    if bool(email) == every:
        raise click.UsageError("give an EMAIL or --all (not both)")
    settings = load_settings()
    try:
        results = asyncio.run(_reconcile(settings, email, fix))
    except Problem as exc:
        fail(str(exc))
    except stripe.StripeError as exc:
        fail(f"Stripe refused the request: {type(exc).__name__} (HTTP {exc.http_status})")
    remaining = [r for r in results if not r.in_sync and not r.fixed]
    if as_json:
        emit_json(
            {
                "mode": settings.billing_mode,
                "checked": len(results),
                "in_sync": not remaining,
                "subscriptions": [
                    {
                        "user_id": r.user_id,
                        "email": r.email,
                        "subscription_id": r.subscription_id,
                        "state": _state(r),
                        "fixed": r.fixed,
                        "error": r.error,
                        "differences": [
                            {"field": d.field, "ours": d.ours, "stripe": d.stripe}
                            for d in r.differences
                        ],
                    }
                    for r in results
                ],
            }
        )
    else:
        rows: list[list[str]] = []
        for r in results:
            rows.extend(
                [r.email, r.subscription_id, d.field, d.ours, d.stripe, _state(r)]
                for d in r.differences
            )
            if r.error and not r.differences:
                rows.append([r.email, r.subscription_id, "-", "-", "-", _state(r)])
        source = "Stripe" if settings.billing_mode == "stripe" else "the sandbox's stored events"
        click.echo(f"Compared {len(results)} subscription(s) with {source}.")
        if rows:
            table(["user", "subscription", "field", "ours", "stripe", "state"], rows)
        if remaining:
            click.echo(f"{len(remaining)} out of sync.")
        else:
            fixed = any(r.fixed for r in results)
            click.echo("All in sync after fixes." if fixed else "All in sync.")
    if remaining:
        raise SystemExit(EXIT_PROBLEMS)
