"""Passwords come from a hidden prompt or, for scripts, from the first line of stdin:
never from the command line, where other users of the machine can read them."""

from __future__ import annotations

import sys

import click

from insight_atlas.cli.atlasctl.errors import CommandFailed
from insight_atlas.cli.atlasctl.exit_codes import ExitCode

password_stdin_option = click.option(
    "--password-stdin",
    is_flag=True,
    help="Read the password from the first line of stdin (for scripts).",
)


def read_password(from_stdin: bool, *, confirm: bool = False, prompt: str = "Password") -> str:
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise CommandFailed(
                "--password-stdin: stdin held no password", ExitCode.USAGE, code="usage"
            )
        return password
    # Prompts go to stderr: with --json, stdout stays one JSON document.
    return str(click.prompt(prompt, hide_input=True, confirmation_prompt=confirm, err=True))
