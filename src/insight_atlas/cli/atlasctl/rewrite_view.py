"""`atlasctl report ID --rewrite`: the plain-language version of a report's narrative.

A rewrite sends the narrative to a language model outside the service, so the person is
shown where it goes (the endpoint host) and agrees first, unless `--yes`. A rewrite
already stored is shown without asking: nothing is sent for it.
"""

from __future__ import annotations

from typing import Any

import click

from insight_atlas.cli.atlasctl.errors import CommandFailed
from insight_atlas.cli.atlasctl.invocation import Invocation
from insight_atlas.cli.atlasctl.output import Output, minute


def show_rewrite(invocation: Invocation, segment: str, *, assume_yes: bool, again: bool) -> None:
    api, out = invocation.api, invocation.out
    url = f"/v1/reports/{segment}/rewrite"
    status: dict[str, Any] = api.json("GET", url)
    rewrite = status.get("rewrite")
    if rewrite is None or again:
        if not status["available"]:
            raise CommandFailed(
                "this API offers no plain-language rewrite (no language model is configured)",
                code="rewrite_unavailable",
            )
        if not assume_yes:
            click.echo(status["consent_text"], err=True)
            if not click.confirm(
                f"Send this report's narrative to {status['endpoint_host']}?", err=True
            ):
                raise CommandFailed("cancelled: nothing was sent", code="cancelled")
        rewrite = api.json(
            "POST",
            url,
            json={
                "consent": True,
                "consent_version": status["consent_version"],
                "endpoint_host": status["endpoint_host"],
            },
        )
    if out.json_mode:
        out.document(rewrite)
        return
    print_rewrite(out, rewrite)
    out.say("")
    out.say(f"the original narrative: {invocation.command(f'report {segment}')}")


def print_rewrite(out: Output, rewrite: dict[str, Any]) -> None:
    out.say(f"Plain-language narrative — {rewrite['label'].lower()}")
    out.say(
        f"({rewrite['model']} at {rewrite['endpoint_host']}, {minute(rewrite['created_at'])};"
        " the scores are unchanged)"
    )
    out.say("")
    for statement in rewrite["statements"]:
        out.wrapped(statement["text"], indent="- ", subsequent_indent="  ")
