"""Questionnaires: list them, list my assessments, score a file of answers."""

from __future__ import annotations

import json
from typing import Any, TextIO

import click

from insight_atlas.cli.atlasctl.errors import CommandFailed
from insight_atlas.cli.atlasctl.exit_codes import ExitCode
from insight_atlas.cli.atlasctl.invocation import Invocation, json_option, pass_invocation
from insight_atlas.cli.atlasctl.output import minute
from insight_atlas.cli.atlasctl.paging import DEFAULT_LIMIT, print_page_footer
from insight_atlas.cli.atlasctl.report_view import print_report

STATUS_WORDS = {"in_progress": "in progress", "submitted": "submitted"}


def accepted_consent_version(invocation: Invocation, assume_yes: bool) -> str:
    """Shows the consent text and asks; the version accepted is sent with the start."""
    consent = invocation.api.json("GET", "/v1/consent", auth=False)
    out = invocation.out
    out.wrapped(str(consent["text"]))
    out.say("")
    if not assume_yes and not click.confirm("Do you agree?", default=False, err=out.json_mode):
        raise CommandFailed("consent is needed to take an assessment", code="consent_declined")
    return str(consent["version"])


def resume_hints(
    invocation: Invocation, assessment_id: str, answered: int, total: int
) -> list[str]:
    return [
        f"assessment {assessment_id}: {answered} of {total} answers saved",
        f"continue with: {invocation.command(f'take --resume {assessment_id}')}",
    ]


@click.command()
@json_option
@pass_invocation
def instruments(invocation: Invocation) -> None:
    """List the questionnaires and the plan each needs."""
    listing = invocation.api.json("GET", "/v1/instruments", auth=False)
    if invocation.out.json_mode:
        invocation.out.document(listing)
        return
    for item in listing:
        kind = "add-on" if item["add_on"] else f"{item['plan']} plan"
        invocation.out.say(
            f"{item['key']:<14} {item['item_count']:>3} items  ~{item['estimated_minutes']:>2} min"
            f"  {kind:<10} {item['title']}"
        )


@click.command()
@click.option(
    "--status",
    type=click.Choice(["in_progress", "submitted"]),
    help="Only assessments in this state.",
)
@click.option("--limit", default=DEFAULT_LIMIT, show_default=True, type=click.IntRange(1, 100))
@click.option("--offset", default=0, show_default=True, type=click.IntRange(0))
@json_option
@pass_invocation
def assessments(invocation: Invocation, status: str | None, limit: int, offset: int) -> None:
    """List my assessments, in progress and submitted, newest first, with progress."""
    params: dict[str, Any] = {"limit": limit, "offset": offset}
    if status:
        params["status"] = status
    page = invocation.api.json("GET", "/v1/assessments", params=params)
    out = invocation.out
    if out.json_mode:
        out.document(page)
        return
    if not page["items"]:
        out.say("no assessments yet: start one with 'atlasctl take'" if not offset else "no more")
        return
    out.say(
        f"{'id':<36}  {'instrument':<13} {'status':<11} {'answered':>8}  {'updated':<16}  report"
    )
    for item in page["items"]:
        progress = f"{item['answered']}/{item['total_items']}"
        out.say(
            f"{item['id']:<36}  {item['instrument']:<13} {STATUS_WORDS[item['status']]:<11}"
            f" {progress:>8}  {minute(item['updated_at']):<16}  {item['report_id'] or '–'}"
        )
    print_page_footer(invocation, page, f"assessments{' --status ' + status if status else ''}")
    waiting = [item["id"] for item in page["items"] if item["status"] == "in_progress"]
    if waiting:
        out.say(f"continue one with: {invocation.command(f'take --resume {waiting[0]}')}")


@click.command()
@click.argument("file", type=click.File("r"))
@click.option("--yes", "assume_yes", is_flag=True, help="Accept the consent text.")
@json_option
@pass_invocation
def submit(invocation: Invocation, file: TextIO, assume_yes: bool) -> None:
    """Score answers from a JSON file: {"instrument", "answers", "free_text"?, …}."""
    data = _answers_file(file)
    version = accepted_consent_version(invocation, assume_yes)
    start: dict[str, Any] = {
        "instrument": data.get("instrument", "mini-ipip"),
        "consent_version": version,
        "include_work_style": bool(data.get("include_work_style", False)),
    }
    for key in ("sex", "age"):
        if key in data:
            start[key] = data[key]
    api = invocation.api
    assessment = api.json("POST", "/v1/assessments", json=start)
    assessment_id = assessment["id"]
    responses: dict[str, Any] = {"answers": data["answers"]}
    if data.get("free_text"):
        responses["free_text"] = data["free_text"]
    try:
        saved = api.json("PUT", f"/v1/assessments/{assessment_id}/responses", json=responses)
        assessment.update(saved)
        document = api.json("POST", f"/v1/assessments/{assessment_id}/submit")
    except CommandFailed as failure:
        failure.hints += resume_hints(
            invocation, assessment_id, assessment["answered"], assessment["total_items"]
        )
        raise
    if invocation.out.json_mode:
        invocation.out.document(document)
        return
    print_report(invocation.out, document)


def _answers_file(file: TextIO) -> dict[str, Any]:
    try:
        data = json.load(file)
    except json.JSONDecodeError as exc:
        raise CommandFailed(
            f"{file.name} is not valid JSON: {exc}", ExitCode.USAGE, code="usage"
        ) from None
    if not isinstance(data, dict) or not isinstance(data.get("answers"), dict):
        raise CommandFailed(
            'the file needs an object with "instrument" and "answers"', ExitCode.USAGE, code="usage"
        )
    return data


COMMANDS = [instruments, assessments, submit]
