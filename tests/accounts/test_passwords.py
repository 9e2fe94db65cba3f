"""Password forgot / reset / change, through the outbox and through a real SMTP server."""

from __future__ import annotations

import asyncio
import email
import re
import socket
from email.message import Message
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiosmtpd.controller import Controller
from fastapi import FastAPI
from sqlalchemy import select, text

from helpers.api import (
    CLIENT_IP,
    TEST_PASSWORD,
    assert_error,
    bearer,
    login,
    register,
    signed_in_user,
)
from helpers.databases import make_settings
from insight_atlas.accounts.models import PasswordResetToken
from insight_atlas.app import create_app
from insight_atlas.settings import Settings

NEW_PASSWORD = "a-brand-new-passphrase"


def outbox_messages(settings: Settings) -> list[Message]:
    directory = settings.outbox_dir
    if not directory.exists():
        return []
    return [email.message_from_bytes(path.read_bytes()) for path in sorted(directory.glob("*.eml"))]


def reset_token_from(message: Message) -> str:
    body = message.get_payload(decode=True)
    assert isinstance(body, bytes)
    match = re.search(r"reset-password\?token=([A-Za-z0-9_-]+)", body.decode())
    assert match, body
    return match.group(1)


async def forgot(client: httpx.AsyncClient, address: str) -> httpx.Response:
    return await client.post("/v1/auth/password/forgot", json={"email": address})


async def test_forgot_answers_202_alike_for_known_and_unknown_addresses(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    profile = await register(client)
    known = await forgot(client, profile["email"])
    unknown = await forgot(client, "nobody-here@example.com")
    assert known.status_code == unknown.status_code == 202
    assert known.json() == unknown.json()
    messages = outbox_messages(settings)
    assert [m["To"] for m in messages] == [profile["email"]]


async def test_reset_through_outbox_link_changes_password_and_ends_sessions(
    client: httpx.AsyncClient, settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    profile, old_session = await signed_in_user(client)
    await forgot(client, profile["email"])
    (message,) = outbox_messages(settings)
    token = reset_token_from(message)
    assert token in capsys.readouterr().out  # a local user finds the link in the log

    response = await client.post(
        "/v1/auth/password/reset", json={"token": token, "new_password": NEW_PASSWORD}
    )
    assert response.status_code == 200
    assert response.json() == {"status": "password_reset"}
    me = await client.get("/v1/me", headers=bearer(old_session["access_token"]))
    assert_error(me, 401, "invalid_token")
    old = await client.post(
        "/v1/auth/login", json={"email": profile["email"], "password": TEST_PASSWORD}
    )
    assert_error(old, 401, "invalid_credentials")
    await login(client, profile["email"], NEW_PASSWORD)

    again = await client.post(
        "/v1/auth/password/reset", json={"token": token, "new_password": "yet-another-passphrase"}
    )
    assert_error(again, 400, "invalid_reset_token")


async def test_weak_password_does_not_spend_the_reset_token(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    profile = await register(client)
    await forgot(client, profile["email"])
    token = reset_token_from(outbox_messages(settings)[0])
    weak = await client.post(
        "/v1/auth/password/reset", json={"token": token, "new_password": "password1234"}
    )
    assert_error(weak, 422, "weak_password")
    ok = await client.post(
        "/v1/auth/password/reset", json={"token": token, "new_password": NEW_PASSWORD}
    )
    assert ok.status_code == 200


async def test_expired_and_superseded_reset_tokens_are_refused(
    client: httpx.AsyncClient, settings: Settings, app: FastAPI
) -> None:
    profile = await register(client)
    await forgot(client, profile["email"])
    first = reset_token_from(outbox_messages(settings)[0])
    await forgot(client, profile["email"])
    second = reset_token_from(outbox_messages(settings)[1])

    superseded = await client.post(
        "/v1/auth/password/reset", json={"token": first, "new_password": NEW_PASSWORD}
    )
    assert_error(superseded, 400, "invalid_reset_token")

    async with app.state.database.engine.begin() as connection:
        await connection.execute(
            text("UPDATE password_reset_token SET expires_at = created_at WHERE used_at IS NULL")
        )
    expired = await client.post(
        "/v1/auth/password/reset", json={"token": second, "new_password": NEW_PASSWORD}
    )
    assert_error(expired, 400, "invalid_reset_token")


async def test_reset_tokens_are_stored_hashed_and_expire_within_an_hour(
    client: httpx.AsyncClient, settings: Settings, app: FastAPI
) -> None:
    profile = await register(client)
    await forgot(client, profile["email"])
    token = reset_token_from(outbox_messages(settings)[0])
    async with app.state.database.sessionmaker() as session:
        row = (await session.scalars(select(PasswordResetToken))).one()
    assert token not in row.token_hash and len(row.token_hash) == 64
    lifetime = row.expires_at - row.created_at
    assert 0 < lifetime.total_seconds() <= 3600


async def test_unknown_reset_token_is_refused(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/v1/auth/password/reset", json={"token": "made-up", "new_password": NEW_PASSWORD}
    )
    assert_error(response, 400, "invalid_reset_token")


async def test_change_password_ends_every_session_and_returns_a_fresh_one(
    client: httpx.AsyncClient,
) -> None:
    profile, here = await signed_in_user(client)
    elsewhere = await login(client, profile["email"])
    response = await client.post(
        "/v1/auth/password/change",
        json={"current_password": TEST_PASSWORD, "new_password": NEW_PASSWORD},
        headers=bearer(here["access_token"]),
    )
    assert response.status_code == 200
    fresh = response.json()
    for stale in (here, elsewhere):
        me = await client.get("/v1/me", headers=bearer(stale["access_token"]))
        assert_error(me, 401, "invalid_token")
    assert (await client.get("/v1/me", headers=bearer(fresh["access_token"]))).status_code == 200
    await login(client, profile["email"], NEW_PASSWORD)


async def test_change_password_needs_the_current_one(client: httpx.AsyncClient) -> None:
    _, tokens = await signed_in_user(client)
    response = await client.post(
        "/v1/auth/password/change",
        json={"current_password": "not-my-password", "new_password": NEW_PASSWORD},
        headers=bearer(tokens["access_token"]),
    )
    assert_error(response, 403, "invalid_current_password")
    unauthenticated = await client.post(
        "/v1/auth/password/change",
        json={"current_password": TEST_PASSWORD, "new_password": NEW_PASSWORD},
    )
    assert_error(unauthenticated, 401, "invalid_token")


class _Recorder:
    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 Message accepted for delivery"


async def test_reset_mail_goes_through_a_real_smtp_server(
    database_url: str, tmp_path: Path
) -> None:
    recorder = _Recorder()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(recorder, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        settings = make_settings(
            database_url,
            tmp_path / "data",
            mail_backend="smtp",
            smtp_host="127.0.0.1",
            smtp_port=port,
            smtp_starttls=False,
            mail_from="Insight Atlas <no-reply@atlas.test>",
        )
        app = create_app(settings)
        transport = httpx.ASGITransport(app=app, client=(CLIENT_IP, 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            profile = await register(client)
            assert (await forgot(client, profile["email"])).status_code == 202
            for _ in range(50):
                if recorder.messages:
                    break
                await asyncio.sleep(0.05)
            (message,) = recorder.messages
            assert message["To"] == profile["email"]
            assert message["From"] == "Insight Atlas <no-reply@atlas.test>"
            token = reset_token_from(message)
            response = await client.post(
                "/v1/auth/password/reset", json={"token": token, "new_password": NEW_PASSWORD}
            )
            assert response.status_code == 200
        await app.state.database.engine.dispose()
    finally:
        controller.stop()
