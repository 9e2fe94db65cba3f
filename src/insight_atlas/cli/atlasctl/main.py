"""The `atlasctl` command group: global options, and one place that turns failures into
readable messages and exit codes."""

from __future__ import annotations

from typing import Any

import click
from click.core import ParameterSource

from insight_atlas.cli.atlasctl.client import DEFAULT_API_URL, Api
from insight_atlas.cli.atlasctl.commands import (
    account,
    billing,
    privacy,
    questionnaires,
    reports,
    take,
)
from insight_atlas.cli.atlasctl.config import Config
from insight_atlas.cli.atlasctl.errors import CommandFailed
from insight_atlas.cli.atlasctl.exit_codes import ExitCode, epilog
from insight_atlas.cli.atlasctl.invocation import Invocation
from insight_atlas.cli.atlasctl.output import Output


class AtlasctlGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(self.commands)  # in the order added: by area, not alphabetically

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except CommandFailed as failure:
            _report(ctx, failure)
            ctx.exit(failure.exit_code)
        except KeyboardInterrupt:
            click.echo("\ninterrupted", err=True)
            ctx.exit(ExitCode.INTERRUPTED)
        except click.Abort as abort:
            # click turns Ctrl-C and the end of input at its prompts into Abort; the cause
            # stays in __context__ and tells an interruption from a declined question.
            if isinstance(abort.__context__, KeyboardInterrupt):
                click.echo("\ninterrupted", err=True)
                ctx.exit(ExitCode.INTERRUPTED)
            _report(ctx, CommandFailed("cancelled", code="cancelled"))
            ctx.exit(ExitCode.FAILED)


def _report(ctx: click.Context, failure: CommandFailed) -> None:
    invocation = ctx.find_object(Invocation)
    if invocation is not None and invocation.out.json_mode:
        invocation.out.document(failure.envelope())
    click.echo(f"error: {failure.text()}", err=True)
    for hint in failure.hints:
        click.echo(f"  {hint}", err=True)


@click.group(cls=AtlasctlGroup, epilog=epilog())
@click.option(
    "--api-url",
    envvar="ATLAS_API_URL",
    default=DEFAULT_API_URL,
    show_default=True,
    show_envvar=True,
    help="The Insight Atlas API to talk to (e.g. http://127.0.0.1:9000 for PORT=9000).",
)
@click.option(
    "--json",
    "json_mode",
    is_flag=True,
    help="Print the API's JSON (one document) instead of text; prompts and hints go to stderr.",
)
@click.version_option(package_name="insight-atlas", prog_name="atlasctl")
@click.pass_context
def cli(ctx: click.Context, api_url: str, json_mode: bool) -> None:
    """Use Insight Atlas from the terminal: sign in, answer questionnaires, read reports."""
    api = Api(api_url, Config.load())
    ctx.call_on_close(api.http.close)
    prefix = "atlasctl"
    if ctx.get_parameter_source("api_url") is ParameterSource.COMMANDLINE:
        prefix += f" --api-url {api.base_url}"
    ctx.obj = Invocation(api=api, out=Output(json_mode), command_prefix=prefix)


for module in (account, questionnaires, take, reports, billing, privacy):
    for command in module.COMMANDS:
        cli.add_command(command)


def main() -> None:
    cli()
