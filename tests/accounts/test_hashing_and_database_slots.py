"""No request holds a database slot while a password is hashed (issue 14, item 9).

Hashing waits its turn for PASSWORD_HASH_CONCURRENCY cores; a request holding a slot
meanwhile keeps every other request out of the database (SQLite has one slot).
"""

from __future__ import annotations

import asyncio
import email
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from helpers.api import TEST_PASSWORD, bearer, register, signed_in_user, unique_email
from helpers.databases import make_settings
from insight_atlas.settings import Settings


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    """One database slot, and a short wait for it, on either database."""
    return make_settings(
        database_url,
        tmp_path / "data",
        db_pool_size=1,
        db_max_overflow=0,
        db_pool_timeout_seconds=0.3,
    )


class HeldHashing:
    """Stands in for argon2id: hashing and verifying resume when released."""

    def __init__(self, app: FastAPI, monkeypatch: pytest.MonkeyPatch) -> None:
        passwords = app.state.passwords
        self._hash, self._verify = passwords.hash, passwords.verify
        self.entered = asyncio.Event()
        self.release = asyncio.Event()
        monkeypatch.setattr(passwords, "hash", self.hash)
        monkeypatch.setattr(passwords, "verify", self.verify)

    async def _wait(self) -> None:
        self.entered.set()
        await self.release.wait()

    async def hash(self, password: str) -> str:
        await self._wait()
        result: str = await self._hash(password)
        return result

    async def verify(self, password_hash: str | None, password: str) -> bool:
        await self._wait()
        result: bool = await self._verify(password_hash, password)
        return result


Send = Callable[[], Awaitable[httpx.Response]]
Flow = Callable[[httpx.AsyncClient, Settings], Awaitable[Send]]


async def registering(client: httpx.AsyncClient, _settings: Settings) -> Send:
    body = {"email": unique_email(), "password": TEST_PASSWORD}
    return lambda: client.post("/v1/auth/register", json=body)


async def signing_in(client: httpx.AsyncClient, _settings: Settings) -> Send:
    profile = await register(client)
    body = {"email": profile["email"], "password": TEST_PASSWORD}
    return lambda: client.post("/v1/auth/login", json=body)


async def changing_the_password(client: httpx.AsyncClient, _settings: Settings) -> Send:
    _, issued = await signed_in_user(client)
    body = {"current_password": TEST_PASSWORD, "new_password": "a-brand-new-passphrase"}
    headers = bearer(issued["access_token"])
    return lambda: client.post("/v1/auth/password/change", json=body, headers=headers)


async def resetting_the_password(client: httpx.AsyncClient, settings: Settings) -> Send:
    profile = await register(client)
    await client.post("/v1/auth/password/forgot", json={"email": profile["email"]})
    (path,) = settings.outbox_dir.glob("*.eml")
    text = email.message_from_bytes(path.read_bytes()).get_payload(decode=True)
    assert isinstance(text, bytes)
    token = text.decode().split("reset-password?token=")[1].split()[0]
    body = {"token": token, "new_password": "a-brand-new-passphrase"}
    return lambda: client.post("/v1/auth/password/reset", json=body)


async def deleting_the_account(client: httpx.AsyncClient, _settings: Settings) -> Send:
    _, issued = await signed_in_user(client)
    headers = bearer(issued["access_token"])
    return lambda: client.request(
        "DELETE", "/v1/me", json={"password": TEST_PASSWORD}, headers=headers
    )


@pytest.mark.parametrize(
    ("flow", "status"),
    [
        (registering, 201),
        (signing_in, 200),
        (changing_the_password, 200),
        (resetting_the_password, 200),
        (deleting_the_account, 204),
    ],
)
async def test_a_password_being_hashed_leaves_the_database_to_others(
    app: FastAPI,
    client: httpx.AsyncClient,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    flow: Flow,
    status: int,
) -> None:
    _, bystander = await signed_in_user(client)
    send = await flow(client, settings)
    held = HeldHashing(app, monkeypatch)
    sending = asyncio.create_task(send())
    await asyncio.wait_for(held.entered.wait(), 5)
    # The only slot is free while the password is hashed: another request is served.
    assert not app.state.database.slots.locked()
    me = await asyncio.wait_for(client.get("/v1/me", headers=bearer(bystander["access_token"])), 5)
    assert me.status_code == 200, me.text
    held.release.set()
    response = await asyncio.wait_for(sending, 5)
    assert response.status_code == status, response.text
    assert not app.state.database.slots.locked()
