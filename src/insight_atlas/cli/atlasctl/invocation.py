"""What every command receives: the API client, the output, and how to call atlasctl again."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import click

from insight_atlas.cli.atlasctl.client import Api
from insight_atlas.cli.atlasctl.output import Output

F = TypeVar("F", bound=Callable[..., Any])


@dataclass
class Invocation:
    api: Api
    out: Output
    # "atlasctl", or "atlasctl --api-url URL" when the URL was given on the command line:
    # the commands hints suggest must reach the same API.
    command_prefix: str

    def command(self, arguments: str) -> str:
        return f"{self.command_prefix} {arguments}"


pass_invocation = click.make_pass_decorator(Invocation)


def _turn_on_json(context: click.Context, _parameter: click.Parameter, value: bool) -> None:
    invocation = context.find_object(Invocation)
    if value and invocation is not None:
        invocation.out.json_mode = True


def json_option(command: F) -> F:
    """`--json` after the command name too (`atlasctl report ID --json`)."""
    return click.option(
        "--json",
        "json_mode",
        is_flag=True,
        expose_value=False,
        callback=_turn_on_json,
        help="Print the API's JSON (one document) instead of text.",
    )(command)
