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
def atlas_serve(
    directory: Path, sqlite_template: Path | None = None, **environment: str
) -> Iterator[str]:
    """The base URL of a server on SQLite in `directory`: a copy of the migrated template
    database, or one `atlas db upgrade` makes. Its links (sandbox checkout, share and reset
    links) point at itself; `environment` adds to (or overrides) the settings given to it."""
    database = directory / "live.db"
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    atlas = str(Path(sys.executable).parent / "atlas")
    env = {
        **os.environ,
        "ATLAS_ENV": "test",
        "DATABASE_URL": f"sqlite+aiosqlite:///{database}",
        "ATLAS_DATA_DIR": str(directory / "data"),
        "PUBLIC_API_URL": url,
        "PUBLIC_WEB_URL": url,
        "PASSWORD_HASH_TIME_COST": "1",
        "PASSWORD_HASH_MEMORY_KIB": "8192",
        "REDIS_URL": "",
        "STRIPE_SECRET_KEY": "",
        "WEB_DIST_DIR": "off",
        **environment,
    }
    if sqlite_template is not None:
        shutil.copyfile(sqlite_template, database)
    else:
        subprocess.run(
            [atlas, "db", "upgrade"], env=env, check=True, capture_output=True, timeout=120
        )
    log_path = directory / "server.log"
    with log_path.open("wb") as log:
        server = subprocess.Popen(
            [atlas, "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the server did not start:\n" + log_path.read_text())
                time.sleep(0.1)
            yield url
        finally:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait(timeout=20)
