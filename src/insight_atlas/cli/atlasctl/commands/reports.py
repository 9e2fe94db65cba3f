"""Reports: list, show (with --explain), compare two, share and unshare."""

from __future__ import annotations

from typing import Any

import click

from insight_atlas.cli.atlasctl.client import Api, path_segment
from insight_atlas.cli.atlasctl.comparison_view import print_comparison
from insight_atlas.cli.atlasctl.invocation import Invocation, json_option, pass_invocation
from insight_atlas.cli.atlasctl.output import day, minute
from insight_atlas.cli.atlasctl.paging import DEFAULT_LIMIT, print_page_footer
from insight_atlas.cli.atlasctl.report_view import ItemTexts, print_report
from insight_atlas.cli.atlasctl.rewrite_view import show_rewrite


@click.command()
@click.option("--limit", default=DEFAULT_LIMIT, show_default=True, type=click.IntRange(1, 100))
@click.option("--offset", default=0, show_default=True, type=click.IntRange(0))
@json_option
@pass_invocation
def reports(invocation: Invocation, limit: int, offset: int) -> None:
    """List my reports, newest first."""
    page = invocation.api.json("GET", "/v1/reports", params={"limit": limit, "offset": offset})
    out = invocation.out
    if out.json_mode:
        out.document(page)
        return
    if not page["items"]:
        out.say("no reports yet" if not offset else "no more")
        return
    out.say(f"{'id':<36}  {'created':<16}  {'instrument':<13} {'validity':<8} shared")
    for item in page["items"]:
        out.say(
            f"{item['id']:<36}  {minute(item['created_at']):<16}  {item['instrument']:<13}"
            f" {item['validity']:<8} {'yes' if item['shared'] else 'no'}"
        )
    print_page_footer(invocation, page, "reports")


@click.command()
@click.argument("report_id")
@click.option(
    "--explain", is_flag=True, help="Show the scores and answers behind each narrative statement."
)
@click.option(
    "--rewrite",
    is_flag=True,
    help="The narrative in plainer words, rewritten by a language model (asks first).",
)
@click.option("--again", is_flag=True, help="With --rewrite: ask for a new rewrite.")
@click.option("--yes", "assume_yes", is_flag=True, help="With --rewrite: do not ask first.")
@json_option
@pass_invocation
def report(
    invocation: Invocation,
    report_id: str,
    explain: bool,
    rewrite: bool,
    again: bool,
    assume_yes: bool,
) -> None:
    """Show one report: scores by domain, response quality, narrative, free-text signals."""
    segment = path_segment(report_id, "the report id")
    if rewrite:
        show_rewrite(invocation, segment, assume_yes=assume_yes, again=again)
        return
    document = invocation.api.json("GET", f"/v1/reports/{segment}")
    if invocation.out.json_mode:
        invocation.out.document(document)
        return
    items = _item_texts(invocation.api, document["report"]) if explain else None
    print_report(invocation.out, document, items)


def _item_texts(api: Api, body: dict[str, Any]) -> ItemTexts:
    """Item wording of the report's instrument and its add-ons (public endpoints)."""
    texts = ItemTexts()
    keys = [body["instrument"]["key"]] + [
        addon["instrument"]["key"] for addon in (body.get("addons") or {}).values()
    ]
    for key in keys:
        instrument = api.json(
            "GET", f"/v1/instruments/{path_segment(key, 'the instrument')}", auth=False
        )
        texts.texts.update({item["id"]: item["text"] for item in instrument["items"]})
        texts.answer_labels.update(
            {option["value"]: option["label"] for option in instrument["answer_scale"]}
        )
    return texts


@click.command()
@click.argument("report_a")
@click.argument("report_b")
@json_option
@pass_invocation
def compare(invocation: Invocation, report_a: str, report_b: str) -> None:
    """Compare two of my reports of one questionnaire (Pro): per-scale change and whether it
    exceeds measurement error. Order does not matter: earlier and later go by date."""
    first = path_segment(report_a, "the first report id")
    second = path_segment(report_b, "the second report id")
    comparison = invocation.api.json("GET", f"/v1/reports/{first}/compare/{second}")
    if invocation.out.json_mode:
        invocation.out.document(comparison)
        return
    later = invocation.api.json(
        "GET", f"/v1/reports/{path_segment(comparison['later_report_id'], 'the report id')}"
    )
    print_comparison(invocation.out, comparison, later["report"]["scales"])


@click.command()
@click.argument("report_id")
@click.option(
    "--days",
    type=click.IntRange(1, 90),
    help="Days until the link stops working (1-90; the API's default is 7).",
)
@json_option
@pass_invocation
def share(invocation: Invocation, report_id: str, days: int | None) -> None:
    """Make a read-only link to a report (Pro): scores and narrative, never answers or text."""
    body = {"expires_in_days": days} if days else {}
    link = invocation.api.json(
        "POST", f"/v1/reports/{path_segment(report_id, 'the report id')}/share", json=body
    )
    if invocation.out.json_mode:
        invocation.out.document(link)
        return
    invocation.out.say(link["url"])
    invocation.out.say(f"works until {day(link['expires_at'])}; stop it sooner with:")
    invocation.out.say(f"  {invocation.command(f'unshare {report_id.strip()}')}")


@click.command()
@click.argument("report_id")
@json_option
@pass_invocation
def unshare(invocation: Invocation, report_id: str) -> None:
    """Stop every share link of a report at once."""
    segment = path_segment(report_id, "the report id")
    invocation.api.call("DELETE", f"/v1/reports/{segment}/share")
    if invocation.out.json_mode:
        invocation.out.document({"report_id": report_id.strip(), "shared": False})
        return
    invocation.out.say(f"every share link of report {report_id.strip()} has stopped working")


COMMANDS = [reports, report, compare, share, unshare]
