"""Pieces for fault tests: a throw-away PostgreSQL cluster and Redis server of the test's
own (stopped and started at will, never the machine's shared ones), the processes of a
live `atlas serve`, and HTTP helpers."""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from helpers.api import TEST_PASSWORD
from helpers.live_server import free_port


def _postgres_bin() -> Path | None:
    for candidate in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if (Path(candidate) / "initdb").exists() and (Path(candidate) / "pg_ctl").exists():
            return Path(candidate)
    found = shutil.which("pg_ctl")
    return Path(found).parent if found and shutil.which("initdb") else None


def _as_postgres_user() -> list[str]:
    """initdb refuses to run as root: then the cluster belongs to the `postgres` user."""
    if os.geteuid() != 0:
        return []
    runuser = shutil.which("runuser")
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        pytest.skip("running as root and there is no postgres user for initdb")
    if runuser is None:
        pytest.skip("running as root and runuser is missing: initdb refuses root")
    return [runuser, "-u", "postgres", "--"]


class PostgresCluster:
    """A private PostgreSQL cluster on a free loopback port, in a temporary directory."""

    def __init__(self) -> None:
        bin_dir = _postgres_bin()
        if bin_dir is None:
            pytest.skip("PostgreSQL server binaries (initdb, pg_ctl) not installed")
        self._bin = bin_dir
        self._prefix = _as_postgres_user()
        self.root = Path(tempfile.mkdtemp(prefix="atlas-faults-pg-"))
        if self._prefix:
            shutil.chown(self.root, "postgres", "postgres")
        self.data = self.root / "data"
        self.port = free_port()
        self._run(
            "initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
            "--no-sync",
        )  # fmt: skip
        self.start()

    @property
    def url(self) -> str:
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/atlas"

    def _run(self, tool: str, *args: str) -> None:
        completed = subprocess.run(
            [*self._prefix, str(self._bin / tool), *args],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        if completed.returncode != 0:
            raise RuntimeError(f"{tool} failed: {completed.stdout}\n{completed.stderr}")

    def start(self) -> None:
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.root}"
            " -c fsync=off -c max_connections=100"
        )
        self._run(
            "pg_ctl", "start", "-w", "-t", "30", "-D", str(self.data), "-o", options,
            "-l", str(self.root / "server.log"),
        )  # fmt: skip

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "stop", "-w", "-t", "30", "-D", str(self.data), "-m", mode)

    def create_database(self, name: str = "atlas") -> None:
        import psycopg

        dsn = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"
        with psycopg.connect(dsn, autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')

    def destroy(self) -> None:
        with contextlib.suppress(Exception):
            self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)


@contextlib.contextmanager
def postgres_cluster() -> Iterator[PostgresCluster]:
    cluster = PostgresCluster()
    try:
        cluster.create_database()
        yield cluster
    finally:
        cluster.destroy()


class RedisServer:
    """A private redis-server on a free loopback port, without persistence."""

    def __init__(self, directory: Path, port: int | None = None) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.skip("redis-server not installed")
        self.port = port or free_port()
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(directory)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 10
        import redis

        while True:
            try:
                redis.Redis(port=self.port, socket_timeout=1).ping()
                break
            except redis.RedisError:
                if time.monotonic() > deadline:
                    self.kill()
                    raise RuntimeError("redis-server did not start") from None
                time.sleep(0.05)

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=10)


@contextlib.contextmanager
def redis_server(directory: Path) -> Iterator[RedisServer]:
    server = RedisServer(directory)
    try:
        yield server
    finally:
        server.kill()


# --- the processes of a live server ----------------------------------------------------


def serve_pid(base_url: str) -> int:
    """The `atlas serve` process listening at `base_url` (found by its --port argument)."""
    port = base_url.rsplit(":", 1)[1]
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if any(arg.endswith(b"atlas") for arg in argv[:2]) and b"serve" in argv:
            if port.encode() in argv and argv[argv.index(b"--port") + 1] == port.encode():
                return int(entry.name)
    raise LookupError(f"no atlas serve process on port {port}")


def child_pids(pid: int) -> list[int]:
    children: list[int] = []
    for path in glob.glob(f"/proc/{pid}/task/*/children"):
        with contextlib.suppress(OSError):
            children.extend(int(part) for part in Path(path).read_text().split())
    return children


def scoring_worker_pids(serve: int) -> list[int]:
    """The scoring workers among the children of `serve` (not multiprocessing's resource
    tracker, which is also a spawned child)."""
    workers = []
    for child in child_pids(serve):
        try:
            cmdline = Path(f"/proc/{child}/cmdline").read_bytes()
        except OSError:
            continue
        if b"spawn_main" in cmdline and b"resource_tracker" not in cmdline:
            workers.append(child)
    return workers


def kill(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


# --- HTTP ------------------------------------------------------------------------------


async def sign_up(http: httpx.AsyncClient, email: str) -> dict[str, Any]:
    """Register and sign in; the token pair plus the account's id and address."""
    registered = await http.post(
        "/v1/auth/register", json={"email": email, "password": TEST_PASSWORD}
    )
    assert registered.status_code == 201, registered.text
    tokens = await http.post("/v1/auth/login", json={"email": email, "password": TEST_PASSWORD})
    assert tokens.status_code == 200, tokens.text
    return {**tokens.json(), "id": registered.json()["id"], "email": email}


def assert_envelope(response: httpx.Response, status: int, *codes: str) -> str:
    """The response is the error envelope with `status` and one of `codes`; its code."""
    assert response.status_code == status, (response.status_code, response.text)
    body = response.json()
    assert set(body) == {"error"}, body
    error = body["error"]
    assert error["code"] in codes, body
    assert error["message"] and error["request_id"] == response.headers["x-request-id"]
    code: str = error["code"]
    return code
