"""Where text goes: with --json, stdout carries exactly one JSON document and everything
meant for a person (prompts, progress, hints) goes to stderr."""

from __future__ import annotations

import json
from typing import Any

import click


class Output:
    def __init__(self, json_mode: bool = False) -> None:
        self.json_mode = json_mode

    def document(self, data: Any) -> None:
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))

    def say(self, text: str = "", *, nl: bool = True) -> None:
        """Text for a person: stdout, or stderr when stdout is reserved for JSON."""
        click.echo(text, nl=nl, err=self.json_mode)

    def wrapped(self, text: str, *, indent: str = "", subsequent_indent: str = "") -> None:
        self.say(
            click.wrap_text(
                text, width=88, initial_indent=indent, subsequent_indent=subsequent_indent
            )
        )

    def hint(self, text: str) -> None:
        click.echo(text, err=True)


def number(value: Any, digits: int = 1) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def signed(value: Any, digits: int = 1) -> str:
    return "" if value is None else f"{value:+.{digits}f}"


def day(timestamp: Any) -> str:
    """The date part of an ISO timestamp ("2026-11-25T21:39:16Z" → "2026-11-25")."""
    return str(timestamp)[:10] if timestamp else ""


def minute(timestamp: Any) -> str:
    return str(timestamp)[:16].replace("T", " ") if timestamp else ""
