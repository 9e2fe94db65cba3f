"""Click commands for the assessment engine: list instruments, score a JSON file.

The commands are registered on the ``atlas`` group elsewhere; this module only
defines them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from insight_atlas.engine import AssessmentError, list_instruments, score

_ALLOWED_FIELDS = frozenset({"instrument", "answers", "demographics", "timings", "free_text"})


@click.command(name="instruments")
def instruments_command() -> None:
    """List the available instruments: key, title, version, items and plan."""
    click.echo(f"{'KEY':<14} {'VERSION':<8} {'ITEMS':>5}  {'PLAN':<5} TITLE")
    for inst in list_instruments():
        click.echo(
            f"{inst.key:<14} {inst.version:<8} {inst.item_count:>5}  {inst.plan:<5} {inst.title}"
        )


def _load_request(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text("utf-8"))
    except json.JSONDecodeError as exc:
        raise click.ClickException(f"{path} is not valid JSON: {exc}") from exc
    except OSError as exc:
        raise click.ClickException(f"cannot read {path}: {exc}") from exc
    if not isinstance(data, dict):
        raise click.ClickException("the JSON file must contain an object")
    unknown = sorted(set(data) - _ALLOWED_FIELDS)
    if unknown:
        raise click.ClickException(f"unknown fields: {', '.join(unknown)}")
    if not isinstance(data.get("instrument"), str):
        raise click.ClickException('"instrument" (an instrument key) is required')
    if not isinstance(data.get("answers"), dict):
        raise click.ClickException('"answers" (an object of item id to 1..5) is required')
    return data


@click.command(name="score")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def score_command(file: Path) -> None:
    """Score FILE.json and print the report JSON.

    FILE contains {"instrument": key, "answers": {...}, "demographics": {...},
    "timings": {...}, "free_text": "..."}; only instrument and answers are required.
    """
    request = _load_request(file)
    try:
        report = score(
            request["instrument"],
            request["answers"],
            demographics=request.get("demographics"),
            timings=request.get("timings"),
            free_text=request.get("free_text"),
        )
    except AssessmentError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(report.to_json().decode("utf-8"))
