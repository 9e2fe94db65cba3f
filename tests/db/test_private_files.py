"""The embedded default keeps its data private: directory 0700, every file in it 0600."""

from __future__ import annotations

import asyncio
import os
import shutil
import stat
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from cryptography.fernet import Fernet

from helpers.api import CLIENT_IP, register
from helpers.databases import make_settings
from insight_atlas import migrate
from insight_atlas.app import create_app


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def usual_umask() -> Iterator[None]:
    """The umask most systems start services with: without care, files come out 0644."""
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


async def test_a_fresh_install_keeps_its_data_directory_and_files_private(
    tmp_path: Path, usual_umask: None
) -> None:
    data = tmp_path / "data"
    settings = make_settings("", data)  # the embedded default: $ATLAS_DATA_DIR/atlas.db
    # What `atlas db upgrade` (make run) does first; its own event loop, so in a thread.
    await asyncio.to_thread(migrate.upgrade, settings.database_url)
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app, client=(CLIENT_IP, 40000))
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            profile = await register(client)
            forgot = await client.post("/v1/auth/password/forgot", json={"email": profile["email"]})
            assert forgot.status_code == 202
        # While the app runs, SQLite keeps its WAL and shared-memory files beside the database.
        files = {
            name: data / name
            for name in ("atlas.db", "atlas.db-wal", "atlas.db-shm", "field-encryption.key")
        }
        assert all(path.exists() for path in files.values()), sorted(os.listdir(data))
        assert mode(data) == 0o700
        assert {name: mode(path) for name, path in files.items()} == dict.fromkeys(files, 0o600)
        outbox = data / "outbox"
        (mail,) = outbox.iterdir()
        assert mode(outbox) == 0o700
        assert mode(mail) == 0o600
        local_part = profile["email"].split("@")[0]
        assert local_part not in mail.name and "example.com" not in mail.name
        assert profile["email"] in mail.read_text()  # the mail itself is addressed, of course
    finally:
        await app.state.rate_limiter.close()
        await app.state.database.engine.dispose()


async def test_an_install_made_before_the_rule_is_tightened_at_start(
    tmp_path: Path, sqlite_template: Path, usual_umask: None
) -> None:
    data = tmp_path / "data"
    data.mkdir(mode=0o755)
    shutil.copyfile(sqlite_template, data / "atlas.db")
    (data / "field-encryption.key").write_bytes(Fernet.generate_key() + b"\n")
    for path in (data, data / "atlas.db", data / "field-encryption.key"):
        path.chmod(0o755 if path.is_dir() else 0o644)

    app = create_app(make_settings("", data))
    try:
        assert mode(data) == 0o700
        assert mode(data / "atlas.db") == 0o600
        assert mode(data / "field-encryption.key") == 0o600
    finally:
        await app.state.rate_limiter.close()
        await app.state.database.engine.dispose()
