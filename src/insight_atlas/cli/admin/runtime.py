"""What every `atlas admin` command shares: settings, the database, output, exit codes."""

from __future__ import annotations

import datetime as dt
import io
import os
import sys
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any, NoReturn, TextIO, cast

import click
import orjson
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncEngine

from insight_atlas.db import create_engine
from insight_atlas.ops.logging import configure_logging
from insight_atlas.settings import Settings, SettingsError

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2
# The commands' own answer is standard output (tables, --json); log lines go to stderr,
# warnings and errors only unless ADMIN_LOG_LEVEL says otherwise.
DEFAULT_LOG_LEVEL = "WARNING"


class _CurrentStderr(io.TextIOBase):
    """Whatever sys.stderr is when a line is written (it is swapped while tests run)."""

    def write(self, text: str) -> int:
        return sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()


def configure_admin_logging() -> None:
    configure_logging(
        os.environ.get("ADMIN_LOG_LEVEL", DEFAULT_LOG_LEVEL), stream=cast(TextIO, _CurrentStderr())
    )


def load_settings() -> Settings:
    try:
        return Settings()
    except (ValidationError, SettingsError) as exc:
        click.echo(f"configuration error: {exc}", err=True)
        sys.exit(EXIT_USAGE)


@asynccontextmanager
async def database(settings: Settings) -> AsyncIterator[AsyncEngine]:
    # A command holds a connection or two at a time, never the service's pool size.
    engine = create_engine(settings.model_copy(update={"db_pool_size": 2, "db_max_overflow": 0}))
    try:
        yield engine
    finally:
        await engine.dispose()


class Problem(Exception):
    """What a command reports as its one-line failure (exit 1), raised from async code."""


def fail(message: str) -> NoReturn:
    """One line on stderr, exit 1."""
    click.echo(message, err=True)
    sys.exit(EXIT_PROBLEMS)


def emit_json(document: Any) -> None:
    click.echo(orjson.dumps(document, option=orjson.OPT_INDENT_2 | orjson.OPT_NAIVE_UTC).decode())


def when(value: dt.datetime | None) -> str:
    if value is None:
        return "-"
    return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S")


def shorten(text: str | None, width: int = 60) -> str:
    if not text:
        return "-"
    line = " ".join(text.split())
    return line if len(line) <= width else line[: width - 1] + "…"


def table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    """Left-aligned columns, two spaces apart."""
    if not rows:
        click.echo("(none)")
        return
    widths = [
        max(len(str(cell)) for cell in column) for column in zip(headers, *rows, strict=False)
    ]
    for line in (headers, *rows):
        click.echo(
            "  ".join(
                str(cell).ljust(width) for cell, width in zip(line, widths, strict=True)
            ).rstrip()
        )


def fields(pairs: Sequence[tuple[str, str]]) -> None:
    width = max(len(name) for name, _ in pairs)
    for name, value in pairs:
        click.echo(f"  {name.ljust(width)}  {value}")
