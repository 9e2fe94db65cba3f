"""Every log line of a whole journey, read back: no password, token, reset or share link
token, free text, e-mail address or display name (docs/SECURITY.md, "What logs carry")."""

from __future__ import annotations

import email
import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from fastapi import FastAPI

from helpers.api import bearer, unique_email
from helpers.flows import complete_report
from insight_atlas.settings import Settings

PASSWORD = "journey-passphrase-Quokka-4711"
NEW_PASSWORD = "journey-passphrase-Wombat-0815"
DISPLAY_NAME = "Philippa Quennell-Marchbanks"
FREE_TEXT = (
    "Lately I feel that my sister Ottoline never listens when I talk about the orchard,"
    " and it makes me anxious before every Sunday lunch."
)
# Fields whose values are expected to be ids, never personal data (docs/SECURITY.md).
EMAIL_PATTERN = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")


def log_lines(output: str) -> list[dict[str, Any]]:
    lines = []
    for line in output.splitlines():
        if line.strip():
            lines.append(json.loads(line))  # every line is JSON: a plain one fails here
    return lines


def reset_token_in(path: Path) -> str:
    body = email.message_from_bytes(path.read_bytes()).get_payload(decode=True)
    assert isinstance(body, bytes)
    match = re.search(r"reset-password\?token=([A-Za-z0-9_-]+)", body.decode())
    assert match, body
    return match.group(1)


def outbox_reset_token(settings: Settings) -> str:
    (path,) = sorted(settings.outbox_dir.glob("*.eml"))
    return reset_token_in(path)


async def walk_the_journey(
    client: httpx.AsyncClient, settings: Settings, address: str
) -> dict[str, str]:
    """Register, sign in, reset the password, pay, take an assessment with free text,
    share the report, delete the account; returns every secret the journey handled."""
    secrets: dict[str, str] = {}
    registered = await client.post(
        "/v1/auth/register",
        json={"email": address, "password": PASSWORD, "display_name": DISPLAY_NAME},
    )
    assert registered.status_code == 201, registered.text
    wrong = await client.post("/v1/auth/login", json={"email": address, "password": NEW_PASSWORD})
    assert wrong.status_code == 401
    signed_in = await client.post("/v1/auth/login", json={"email": address, "password": PASSWORD})
    assert signed_in.status_code == 200, signed_in.text
    tokens = signed_in.json()
    secrets["access token"] = tokens["access_token"]
    secrets["refresh token"] = tokens["refresh_token"]
    refreshed = await client.post(
        "/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]}
    )
    assert refreshed.status_code == 200, refreshed.text
    secrets["rotated access token"] = refreshed.json()["access_token"]
    secrets["rotated refresh token"] = refreshed.json()["refresh_token"]

    forgot = await client.post("/v1/auth/password/forgot", json={"email": address})
    assert forgot.status_code == 202, forgot.text
    unknown = await client.post("/v1/auth/password/forgot", json={"email": "x" + address})
    assert unknown.status_code == 202
    reset_token = outbox_reset_token(settings)
    secrets["reset token"] = reset_token
    reset = await client.post(
        "/v1/auth/password/reset", json={"token": reset_token, "new_password": NEW_PASSWORD}
    )
    assert reset.status_code == 200, reset.text
    signed_in = await client.post(
        "/v1/auth/login", json={"email": address, "password": NEW_PASSWORD}
    )
    assert signed_in.status_code == 200, signed_in.text
    access = signed_in.json()["access_token"]
    secrets["new access token"] = access
    secrets["new refresh token"] = signed_in.json()["refresh_token"]
    headers = bearer(access)

    checkout = await client.post(
        "/v1/billing/checkout", json={"plan": "pro_monthly"}, headers=headers
    )
    assert checkout.status_code == 200, checkout.text
    checkout_url = urlsplit(checkout.json()["url"])
    checkout_token = parse_qs(checkout_url.query)["token"][0]
    secrets["sandbox checkout token"] = checkout_token
    page = await client.get(f"{checkout_url.path}?{checkout_url.query}")
    assert page.status_code == 200
    # Pay: the sandbox sends signed Stripe events to /v1/stripe/webhook.
    paid = await client.post(
        "/v1/billing/sandbox/checkout", data={"token": checkout_token, "action": "pay"}
    )
    assert paid.status_code == 303, paid.text
    me = (await client.get("/v1/me", headers=headers)).json()
    assert me["plan"] == "pro_monthly"

    document = await complete_report(client, access, free_text=FREE_TEXT)
    shared = await client.post(f"/v1/reports/{document['id']}/share", headers=headers)
    assert shared.status_code in (200, 201), shared.text
    share_token = shared.json()["token"]
    secrets["share token"] = share_token
    assert (await client.get(f"/v1/shared/{share_token}")).status_code == 200
    exported = await client.get("/v1/me/export", headers=headers)
    assert exported.status_code == 200

    deleted = await client.request(
        "DELETE", "/v1/me", json={"password": NEW_PASSWORD}, headers=headers
    )
    assert deleted.status_code in (200, 204), deleted.text
    assert (await client.get(f"/v1/shared/{share_token}")).status_code == 404
    return secrets


async def test_a_whole_journey_logs_nothing_personal(
    client: httpx.AsyncClient,
    app: FastAPI,
    settings: Settings,
    capsys: pytest.CaptureFixture[str],
) -> None:
    capsys.readouterr()
    address = unique_email("journey")
    secrets = await walk_the_journey(client, settings, address)
    captured = capsys.readouterr()
    output = captured.out + captured.err
    lines = log_lines(captured.out)
    # The journey was logged: one access line per request, with its request id.
    access = [line for line in lines if line.get("event") == "request"]
    assert len(access) >= 20
    assert all(len(line["request_id"]) >= 8 for line in access)
    assert any(line.get("event") == "stripe_event_handled" for line in lines)
    # The reset mail's line names its file (README): the link is there, not in the log.
    (mail,) = [line for line in lines if line.get("event") == "mail_outbox"]
    assert set(mail) >= {"subject", "message_id", "file", "request_id"}
    assert reset_token_in(Path(mail["file"])) == secrets["reset token"]

    forbidden = {
        "password": PASSWORD,
        "new password": NEW_PASSWORD,
        "e-mail address": address,
        "address's local part": address.split("@")[0],
        "display name": DISPLAY_NAME,
        "free text": FREE_TEXT,
        "a name in the free text": "Ottoline",
        "a phrase of the free text": "Sunday lunch",
    }
    forbidden.update(secrets)
    leaks = [
        f"{what}: {line[:300]}"
        for what, value in forbidden.items()
        for line in output.splitlines()
        if value in line
    ]
    leaks += [
        f"an address: {line[:300]}" for line in output.splitlines() if EMAIL_PATTERN.search(line)
    ]
    assert not leaks, "\n".join(leaks)
