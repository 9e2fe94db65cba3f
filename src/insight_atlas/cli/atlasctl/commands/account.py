"""Signing in and out, and the profile."""

from __future__ import annotations

from typing import Any

import click

from insight_atlas.cli.atlasctl.errors import ApiError
from insight_atlas.cli.atlasctl.invocation import Invocation, json_option, pass_invocation
from insight_atlas.cli.atlasctl.passwords import password_stdin_option, read_password


def _sign_in(invocation: Invocation, email: str, password: str) -> None:
    tokens = invocation.api.json(
        "POST", "/v1/auth/login", auth=False, json={"email": email, "password": password}
    )
    invocation.api.store_tokens(email, tokens)


@click.command()
@click.argument("email")
@password_stdin_option
@json_option
@pass_invocation
def register(invocation: Invocation, email: str, password_stdin: bool) -> None:
    """Create an account (password: at least 10 characters) and sign in."""
    password = read_password(password_stdin, confirm=True)
    profile = invocation.api.json(
        "POST", "/v1/auth/register", auth=False, json={"email": email, "password": password}
    )
    _sign_in(invocation, email, password)
    if invocation.out.json_mode:
        invocation.out.document(profile)
        return
    invocation.out.say(f"registered and signed in as {profile['email']}")


@click.command()
@click.argument("email")
@password_stdin_option
@json_option
@pass_invocation
def login(invocation: Invocation, email: str, password_stdin: bool) -> None:
    """Sign in; the tokens are kept in the config file (mode 0600), never printed."""
    _sign_in(invocation, email, read_password(password_stdin))
    if invocation.out.json_mode:
        invocation.out.document(invocation.api.json("GET", "/v1/me"))
        return
    invocation.out.say(f"signed in as {email} at {invocation.api.base_url}")


@click.command()
@json_option
@pass_invocation
def logout(invocation: Invocation) -> None:
    """Sign out here and forget the tokens."""
    api = invocation.api
    refresh_token = api.stored.get("refresh_token")
    try:
        if refresh_token:
            api.call("POST", "/v1/auth/logout", auth=False, json={"refresh_token": refresh_token})
    except ApiError as failure:
        if failure.status != 401:  # 401: the sign-in had already ended
            raise
    finally:
        # Forgotten even when the API cannot be reached: signing out must not need it.
        api.forget_tokens()
    if invocation.out.json_mode:
        invocation.out.document({"status": "signed_out", "api_url": api.base_url})
        return
    invocation.out.say("signed out")


@click.command()
@json_option
@pass_invocation
def me(invocation: Invocation) -> None:
    """Show my profile, plan and entitlements."""
    profile: dict[str, Any] = invocation.api.json("GET", "/v1/me")
    out = invocation.out
    if out.json_mode:
        out.document(profile)
        return
    out.say(f"{profile['email']}  (id {profile['id']})")
    out.say(f"plan: {profile['plan']}  status: {profile['status']}")
    out.say("entitlements: " + ", ".join(profile["entitlements"]))
    if profile.get("billing_banner"):
        out.wrapped(f"note: {profile['billing_banner']}")


COMMANDS = [register, login, logout, me]
