"""Privacy rights: export everything, delete my data, delete the account."""

from __future__ import annotations

import os
from pathlib import Path

import click

from insight_atlas.cli.atlasctl.errors import CommandFailed
from insight_atlas.cli.atlasctl.exit_codes import ExitCode
from insight_atlas.cli.atlasctl.invocation import Invocation, json_option, pass_invocation
from insight_atlas.cli.atlasctl.passwords import password_stdin_option, read_password


@click.command()
@click.option(
    "--output", "-o", type=click.Path(dir_okay=False, writable=True), help="File to write."
)
@json_option
@pass_invocation
def export(invocation: Invocation, output: str | None) -> None:
    """Download everything stored about me as JSON (to stdout, or to a 0600 file)."""
    content = invocation.api.call("GET", "/v1/me/export").content
    if not output:
        click.echo(content.decode())
        return
    # 0600 from the first byte: the export holds everything stored about the person.
    descriptor = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(content)
    Path(output).chmod(0o600)  # a file that existed keeps its old mode otherwise
    if invocation.out.json_mode:
        invocation.out.document({"written_to": output, "bytes": len(content)})
        return
    invocation.out.say(f"written to {output}")


@click.command()
@click.option("--yes", "assume_yes", is_flag=True, help="Do not ask for confirmation.")
@json_option
@pass_invocation
def purge(invocation: Invocation, assume_yes: bool) -> None:
    """Delete all my assessments, reports and share links (the account stays)."""
    if not assume_yes and not click.confirm(
        "Delete all your assessments and reports? This cannot be undone", err=True
    ):
        raise CommandFailed("cancelled: nothing was deleted", code="cancelled")
    result = invocation.api.json("DELETE", "/v1/me/data")
    if invocation.out.json_mode:
        invocation.out.document(result)
        return
    invocation.out.say(
        f"deleted {result['assessments_deleted']} assessments, {result['reports_deleted']}"
        f" reports, {result['share_links_deleted']} share links"
    )


@click.command(name="delete-account")
@password_stdin_option
@click.option("--yes", "assume_yes", is_flag=True, help="Do not ask for confirmation.")
@json_option
@pass_invocation
def delete_account(invocation: Invocation, password_stdin: bool, assume_yes: bool) -> None:
    """Delete my account and everything stored with it; a subscription is cancelled first.

    Asks for the password (not shown) and a confirmation. Scripts: `--password-stdin --yes`.
    """
    api = invocation.api
    if password_stdin and not assume_yes:
        # stdin holds the password, so nobody is there to answer the question.
        raise CommandFailed(
            "--password-stdin needs --yes: stdin cannot also answer the confirmation",
            ExitCode.USAGE,
            code="usage",
        )
    email = api.stored.get("email") or "this account"
    if not assume_yes and not click.confirm(
        f"Delete {email} and everything stored with it at {api.base_url}? This cannot be undone",
        err=True,
    ):
        raise CommandFailed("cancelled: nothing was deleted", code="cancelled")
    password = read_password(password_stdin)
    api.call("DELETE", "/v1/me", json={"password": password})
    api.forget_tokens()
    if invocation.out.json_mode:
        invocation.out.document({"status": "account_deleted", "email": email})
        return
    invocation.out.say(f"account {email} deleted")


COMMANDS = [export, purge, delete_account]
