"""`atlas serve` in its own process, on a free loopback port, for tests that need a real
HTTP server (sockets, timeouts, a client of their own)."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextlib.contextmanager
def atlas_serve(directory: Path, sqlite_template: Path, **environment: str) -> Iterator[str]:
    """The base URL of a server on a copy of the migrated template database; `environment`
    adds to (or overrides) the settings given to it."""
    database = directory / "live.db"
    shutil.copyfile(sqlite_template, database)
    port = free_port()
    env = {
        **os.environ,
        "ATLAS_ENV": "test",
        "DATABASE_URL": f"sqlite+aiosqlite:///{database}",
        "ATLAS_DATA_DIR": str(directory / "data"),
        "PASSWORD_HASH_TIME_COST": "1",
        "PASSWORD_HASH_MEMORY_KIB": "8192",
        "REDIS_URL": "",
        **environment,
    }
    log_path = directory / "server.log"
    with log_path.open("wb") as log:
        server = subprocess.Popen(
            [str(Path(sys.executable).parent / "atlas"), "serve", "--port", str(port)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 20
            while True:
                try:
                    if httpx.get(f"{url}/healthz", timeout=0.5).status_code == 200:
                        break
                except httpx.HTTPError:
                    if time.monotonic() > deadline or server.poll() is not None:
                        raise RuntimeError(log_path.read_text()) from None
                    time.sleep(0.1)
            yield url
        finally:
            server.terminate()
            server.wait(timeout=20)
