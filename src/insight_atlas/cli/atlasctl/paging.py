"""The line under a listing of one page: where it sits in the whole, and the next page."""

from __future__ import annotations

from typing import Any

from insight_atlas.cli.atlasctl.invocation import Invocation

DEFAULT_LIMIT = 20


def print_page_footer(invocation: Invocation, page: dict[str, Any], command: str) -> None:
    shown, total, offset = len(page["items"]), page["total"], page["offset"]
    if total > shown or offset:
        invocation.out.say(f"({offset + 1}–{offset + shown} of {total})")
    if offset + shown < total:
        arguments = f"{command} --offset {offset + shown}"
        if page["limit"] != DEFAULT_LIMIT:
            arguments += f" --limit {page['limit']}"
        invocation.out.say(f"next page: {invocation.command(arguments)}")
