"""`atlas admin webhooks …`: the stored Stripe events, and replaying failed ones."""

from __future__ import annotations

import asyncio
import datetime as dt
import re

import click

from insight_atlas.billing import replay as replaying
from insight_atlas.billing import repository
from insight_atlas.billing.stripe_webhook import HANDLERS
from insight_atlas.cli.admin.runtime import (
    EXIT_PROBLEMS,
    database,
    emit_json,
    load_settings,
    shorten,
    table,
    when,
)
from insight_atlas.db import utcnow
from insight_atlas.settings import Settings

_DURATION = re.compile(r"(\d{1,6})([smhd])")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86_400}


class Duration(click.ParamType):  # type: ignore[type-arg]
    """30m, 24h, 7d: a span of time back from now."""

    name = "duration"

    def convert(
        self, value: object, param: click.Parameter | None, ctx: click.Context | None
    ) -> dt.timedelta:
        if isinstance(value, dt.timedelta):
            return value
        match = _DURATION.fullmatch(str(value).strip())
        if match is None:
            self.fail(f"{value!r} is not a duration like 30m, 24h or 7d", param, ctx)
        return dt.timedelta(seconds=int(match[1]) * _UNIT_SECONDS[match[2]])


@click.group()
def webhooks() -> None:
    """Stored Stripe webhook events."""


async def _list(
    settings: Settings, failed: bool, event_type: str | None, since: dt.timedelta | None, limit: int
) -> list[repository.EventRecord]:
    async with database(settings) as engine, engine.connect() as connection:
        return await repository.list_events(
            connection,
            failed_only=failed,
            event_type=event_type,
            since=utcnow() - since if since is not None else None,
            limit=limit,
        )


@webhooks.command("list")
@click.option("--failed", is_flag=True, help="Only events whose handler failed (retryable).")
@click.option("--type", "event_type", type=click.Choice(sorted(HANDLERS)))
@click.option("--since", type=Duration(), help="Received within this span: 30m, 24h, 7d.")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 10_000))
@click.option("--json", "as_json", is_flag=True, help="One JSON document, for scripts.")
def list_events(
    failed: bool, event_type: str | None, since: dt.timedelta | None, limit: int, as_json: bool
) -> None:
    """Stored events, newest first (payloads are not shown)."""
    settings = load_settings()
    events = asyncio.run(_list(settings, failed, event_type, since, limit))
    if as_json:
        emit_json(
            [
                {
                    "id": e.stripe_event_id,
                    "type": e.type,
                    "outcome": e.outcome,
                    "attempts": e.attempts,
                    "last_error": e.last_error,
                    "created_at": e.stripe_created_at,
                    "received_at": e.received_at,
                    "handled_at": e.handled_at,
                }
                for e in events
            ]
        )
        return
    table(
        ["event", "type", "outcome", "attempts", "received", "error"],
        [
            [
                e.stripe_event_id,
                e.type,
                e.outcome or "-",
                str(e.attempts),
                when(e.received_at),
                shorten(e.last_error),
            ]
            for e in events
        ],
    )


async def _replay(
    settings: Settings, event_id: str | None, all_failed: bool
) -> list[replaying.ReplayResult]:
    async with database(settings) as engine:
        if all_failed:
            async with engine.connect() as connection:
                ids = await repository.failed_event_ids(connection)
        else:
            assert event_id is not None
            ids = [event_id]
        return [await replaying.replay_event(engine, settings, one) for one in ids]


@webhooks.command("replay")
@click.argument("event_id", required=False)
@click.option("--all-failed", is_flag=True, help="Every event whose handler failed, oldest first.")
@click.option("--json", "as_json", is_flag=True, help="One JSON document, for scripts.")
def replay(event_id: str | None, all_failed: bool, as_json: bool) -> None:
    """Run stored events through their handler again; each is applied at most once."""
    if bool(event_id) == all_failed:
        raise click.UsageError("give an EVENT_ID or --all-failed (not both)")
    settings = load_settings()
    results = asyncio.run(_replay(settings, event_id, all_failed))
    if as_json:
        emit_json(
            [{"id": r.stripe_event_id, "status": r.status, "detail": r.detail} for r in results]
        )
    elif not results:
        click.echo("No failed events to replay.")
    else:
        for r in results:
            click.echo(f"{r.stripe_event_id}: {r.status}: {shorten(r.detail, 200)}")
    problems = [r for r in results if r.problem]
    if problems:
        if not as_json:
            click.echo(f"{len(problems)} event(s) not applied.", err=True)
        raise SystemExit(EXIT_PROBLEMS)
