"""HTTP load benchmark for the Insight Atlas service.

Starts the service (one worker) on loopback, first on SQLite and then on a
throw-away PostgreSQL database, plus the bare pure-ASGI baseline
(``bench/bare_app.py``) served by the same uvicorn, and drives each with the
same bounded wrk load:

* ``GET /healthz`` and authenticated ``GET /v1/me`` at 32 and 64 connections,
  compared with the bare app's requests/s;
* ``GET /v1/me`` at 256 connections, looking for stalls (seconds without a
  single completed request), timeouts, socket errors and 5xx;
* a login storm: 32 connections on ``POST /v1/auth/login`` while a one-request-
  every-20-ms probe measures ``GET /healthz`` latency.

Run::

    .venv/bin/python bench/load.py                 # 10 s per load step
    .venv/bin/python bench/load.py --duration 5    # shorter steps
    .venv/bin/python bench/load.py --quick         # 3 s steps, smoke test

Needs ``wrk`` on PATH and, for the PostgreSQL target, a trust-auth server at
``--pg-dsn``. Every process and database it creates is removed on exit,
including on Ctrl-C.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import resource
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

# Run as a script, so bench/ is on sys.path.
from loadgen import ProbeResult, probe

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
HOST = "127.0.0.1"

# Targets the figures are checked against.
ME_RATIO_TARGET = 0.20
P99_TARGET_MS = 50.0
STORM_PROBE_P99_TARGET_MS = 50.0

# wrk script: sets method/body/token from the environment, counts responses
# per status class and per wall-clock second in every thread, and prints one
# machine-readable JSON line at the end. Threads cannot share Lua state, so
# ``done`` collects the per-thread tables through ``thread:get``.
WRK_SCRIPT = r"""
wrk.method = os.getenv("WRK_METHOD") or "GET"
local body = os.getenv("WRK_BODY") or ""
if body ~= "" then
  wrk.body = body
  wrk.headers["Content-Type"] = "application/json"
end
local token = os.getenv("WRK_TOKEN") or ""
if token ~= "" then wrk.headers["Authorization"] = "Bearer " .. token end

local threads = {}
local started = os.time()
function setup(thread) table.insert(threads, thread) end

per_second = {}
by_class = {0, 0, 0, 0, 0}
function response(status, headers, body)
  local now = os.time()
  per_second[now] = (per_second[now] or 0) + 1
  local cls = math.floor(status / 100)
  if cls >= 1 and cls <= 5 then by_class[cls] = by_class[cls] + 1 end
end

function done(summary, latency, requests)
  local finished = os.time()
  local merged = {}
  local classes = {0, 0, 0, 0, 0}
  for _, t in ipairs(threads) do
    for sec, n in pairs(t:get("per_second")) do merged[sec] = (merged[sec] or 0) + n end
    local c = t:get("by_class")
    for i = 1, 5 do classes[i] = classes[i] + c[i] end
  end
  local seconds = {}
  for sec = started, finished do table.insert(seconds, merged[sec] or 0) end
  local e = summary.errors
  io.write(string.format(
    'WRK_RESULT {"requests":%d,"duration_us":%d,"connect":%d,"read":%d,"write":%d,' ..
    '"status":%d,"timeout":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d,' ..
    '"classes":[%d,%d,%d,%d,%d],"per_second":[%s]}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    classes[1], classes[2], classes[3], classes[4], classes[5], table.concat(seconds, ",")))
end
"""


# Diagnostic launcher for the service (--gc-stats): runs `atlas` unchanged but
# records every full (generation 2) garbage collection pause in a JSON file, and
# with BENCH_GC_FREEZE=1 moves everything built at start-up out of the
# collector's reach (gc.freeze) to show what that would change.
GC_WRAPPER = r"""
import gc, json, os, sys, threading, time

pauses = []
started = [0.0]

def on_gc(phase, info):
    if info["generation"] != 2:
        return
    if phase == "start":
        started[0] = time.perf_counter()
    else:
        pauses.append((time.time(), (time.perf_counter() - started[0]) * 1000))
        del pauses[:-5000]

gc.callbacks.append(on_gc)
path = os.environ["BENCH_GC_STATS"]

def dump():
    while True:
        with open(path + ".tmp", "w") as fh:
            json.dump(list(pauses), fh)
        os.replace(path + ".tmp", path)
        time.sleep(0.2)

threading.Thread(target=dump, daemon=True).start()
if os.environ.get("BENCH_GC_FREEZE") == "1":
    import insight_atlas.app as app_module

    create_app = app_module.create_app

    def create_app_then_freeze(*args, **kwargs):
        app = create_app(*args, **kwargs)
        gc.collect()
        gc.freeze()
        return app

    app_module.create_app = create_app_then_freeze
from insight_atlas.cli.atlas import main

sys.argv = ["atlas", *sys.argv[1:]]
main()
"""


# --------------------------------------------------------------------------- processes


@dataclass
class Pinning:
    server_cpus: set[int] | None
    client_cpus: set[int] | None

    def describe(self) -> str:
        if self.server_cpus is None:
            return "not pinned (server, wrk and probe share all CPUs)"
        return (
            f"server pinned to CPU {sorted(self.server_cpus)}, wrk + probe + this script "
            f"to CPU {sorted(self.client_cpus or ())}; PostgreSQL not pinned"
        )


def choose_pinning(enabled: bool) -> Pinning:
    cpus = sorted(os.sched_getaffinity(0))
    if not enabled or len(cpus) < 2:
        return Pinning(None, None)
    return Pinning({cpus[0]}, set(cpus[1:]))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def _proc_stats() -> dict[int, tuple[str, list[str]]]:
    """pid -> (command name, /proc/pid/stat fields after the name)."""
    stats: dict[int, tuple[str, list[str]]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            raw = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        # The command name is parenthesised and may contain spaces.
        name = raw[raw.index("(") + 1 : raw.rindex(")")]
        stats[int(entry)] = (name, raw[raw.rindex(")") + 2 :].split())
    return stats


def _cpu_of(fields: list[str]) -> float:
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def postgres_cpu_seconds() -> float:
    """CPU seconds of all live PostgreSQL processes (the database is not pinned)."""
    return sum(_cpu_of(f) for name, f in _proc_stats().values() if name.startswith("postgres"))


def process_cpu_seconds(pid: int) -> float:
    """User+system CPU seconds of ``pid`` alone (0 if it is gone)."""
    found = _proc_stats().get(pid)
    return _cpu_of(found[1]) if found else 0.0


def process_system_cpu_seconds(pid: int) -> float:
    """System (kernel) CPU seconds of ``pid`` alone: its system calls, network I/O included."""
    found = _proc_stats().get(pid)
    return int(found[1][12]) / os.sysconf("SC_CLK_TCK") if found else 0.0


def process_tree_cpu_seconds(pid: int) -> float:
    """User+system CPU seconds of ``pid`` and its live descendants."""
    stats = _proc_stats()
    children: dict[int, list[int]] = {}
    for child, (_, fields) in stats.items():
        children.setdefault(int(fields[1]), []).append(child)
    total, stack = 0.0, [pid]
    while stack:
        current = stack.pop()
        if current in stats:
            total += _cpu_of(stats[current][1])
        stack.extend(children.get(current, []))
    return total


def _machine_cpu_fields() -> list[int]:
    return [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]


def system_busy_seconds() -> float:
    """Non-idle CPU seconds of the whole machine, all CPUs summed (steal included)."""
    fields = _machine_cpu_fields()
    idle = fields[3] + fields[4]  # idle + iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def system_steal_seconds() -> float:
    """CPU seconds the hypervisor gave to other guests while this one wanted to run."""
    return _machine_cpu_fields()[7] / os.sysconf("SC_CLK_TCK")


def pg_sessions(admin_dsn: str, dbname: str) -> int:
    """Sessions ever opened on ``dbname`` (PostgreSQL 14+): reveals pool churn."""
    import psycopg

    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        row = conn.execute(
            "SELECT sessions FROM pg_stat_database WHERE datname = %s", (dbname,)
        ).fetchone()
    return int(row[0]) if row and row[0] is not None else 0


class Server:
    """One server process in its own process group, logs to a file, always stopped."""

    def __init__(
        self,
        name: str,
        argv: list[str],
        env: dict[str, str],
        port: int,
        log_path: Path | None,
        cpus: set[int] | None,
    ) -> None:
        self.name, self.argv, self.env, self.port = name, argv, env, port
        self.log_path, self.cpus = log_path, cpus
        self.proc: subprocess.Popen[bytes] | None = None
        self.base_url = f"http://{HOST}:{port}"
        # Set for PostgreSQL-backed servers: counts sessions opened on their database.
        self.db_session_counter: Callable[[], int] | None = None
        # Set with --gc-stats: JSON list of (epoch, ms) full-collection pauses.
        self.gc_stats_path: Path | None = None

    def gc_pauses(self, since: float, until: float) -> list[float] | None:
        if self.gc_stats_path is None:
            return None
        try:
            pauses = json.loads(self.gc_stats_path.read_text())
        except (OSError, ValueError):
            return []
        return [ms for at, ms in pauses if since <= at <= until]

    def start(self, ready_timeout: float = 60.0) -> None:
        log = open(self.log_path, "ab") if self.log_path else subprocess.DEVNULL
        cpus = self.cpus

        def pin() -> None:
            if cpus is not None:
                os.sched_setaffinity(0, cpus)

        try:
            self.proc = subprocess.Popen(
                self.argv,
                env=self.env,
                cwd=ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,  # own group: stop() reaches reloaders/workers too
                preexec_fn=pin,  # single-threaded parent: safe here
            )
        finally:
            if log is not subprocess.DEVNULL:
                log.close()
        deadline = time.monotonic() + ready_timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"{self.name} exited with {self.proc.returncode}\n{self.log_tail()}"
                )
            try:
                if httpx.get(f"{self.base_url}/healthz", timeout=1.0).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"{self.name} not healthy after {ready_timeout}s\n{self.log_tail()}")

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=5)

    def cpu_seconds(self) -> float:
        return process_tree_cpu_seconds(self.proc.pid) if self.proc else 0.0

    def log_tail(self, lines: int = 30) -> str:
        if not self.log_path or not self.log_path.exists():
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def log_findings(self) -> tuple[int, list[str]]:
        """Line count and the distinct error-looking lines of the server log."""
        if not self.log_path or not self.log_path.exists():
            return 0, []
        text = self.log_path.read_text(errors="replace").splitlines()
        markers = ("error", "traceback", "exception", "critical")
        found: list[str] = []
        for line in text:
            if any(m in line.lower() for m in markers) and line[:200] not in found:
                found.append(line[:200])
        return len(text), found[:10]


@contextlib.contextmanager
def running(server: Server) -> Iterator[Server]:
    try:
        server.start()
        yield server
    finally:
        server.stop()


@contextlib.contextmanager
def postgres_database(admin_dsn: str) -> Iterator[str]:
    """Create a throw-away database and drop it afterwards; yields its name."""
    import psycopg
    from psycopg import sql

    name = f"atlas_bench_{os.getpid()}"
    drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        conn.execute(drop)
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield name
    finally:
        with psycopg.connect(admin_dsn, autocommit=True) as conn:
            conn.execute(drop)


# --------------------------------------------------------------------------- load


@dataclass
class WrkResult:
    target: str
    label: str
    connections: int
    duration_s: float
    requests: int
    p50_ms: float
    p99_ms: float
    max_ms: float
    classes: list[int]
    timeouts: int
    socket_errors: int
    per_second: list[int]
    server_cpu_pct: float
    client_cpu_pct: float
    db_cpu_pct: float
    # CPU used by anything else on the machine during the step: a noisy neighbour.
    other_cpu_pct: float
    # PostgreSQL sessions opened on the service's database during the step.
    db_sessions_opened: int | None
    # With --gc-stats: full garbage collection pauses (ms) in the service during the step.
    gc_pauses_ms: list[float] | None
    ratio: float | None = None

    @property
    def rps(self) -> float:
        return self.requests / self.duration_s if self.duration_s else 0.0

    @property
    def non_2xx(self) -> int:
        return self.requests - self.classes[1]

    @property
    def status_5xx(self) -> int:
        return self.classes[4]

    @property
    def cpu_ms_per_request(self) -> float:
        return 10 * self.server_cpu_pct / self.rps if self.rps else float("nan")

    @property
    def stall_seconds(self) -> int:
        # First and last buckets are partial seconds; judge only the full ones.
        return sum(1 for count in self.per_second[1:-1] if count == 0)


@dataclass
class Snapshot:
    """Counters read just before and just after a load step."""

    wall: float
    epoch: float
    server: float
    postgres: float
    children: float
    own: float
    busy: float
    db_sessions: int | None

    @classmethod
    def take(cls, server: Server) -> Snapshot:
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        own = resource.getrusage(resource.RUSAGE_SELF)
        return cls(
            wall=time.monotonic(),
            epoch=time.time(),
            server=server.cpu_seconds(),
            postgres=postgres_cpu_seconds(),
            children=children.ru_utime + children.ru_stime,
            own=own.ru_utime + own.ru_stime,
            busy=system_busy_seconds(),
            db_sessions=server.db_session_counter() if server.db_session_counter else None,
        )


@dataclass
class LoadSettings:
    duration: float
    threads: int
    timeout_s: float
    client_cpus: set[int] | None
    script_path: Path


def run_wrk(
    settings: LoadSettings,
    target: str,
    label: str,
    url: str,
    connections: int,
    server: Server,
    *,
    method: str = "GET",
    body: str = "",
    token: str = "",
    duration: float | None = None,
    background: bool = False,
) -> Any:
    """Run one bounded wrk step; with ``background`` return a finisher callable."""
    seconds = duration if duration is not None else settings.duration
    threads = max(1, min(settings.threads, connections))
    argv = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{max(1, round(seconds))}s",
        f"--timeout={settings.timeout_s:g}s",
        "-s",
        str(settings.script_path),
        url,
    ]
    env = dict(os.environ, WRK_METHOD=method, WRK_BODY=body, WRK_TOKEN=token)
    before = Snapshot.take(server)
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    def finish() -> WrkResult:
        try:
            out, err = proc.communicate(timeout=seconds + settings.timeout_s + 30)
        except BaseException:
            proc.kill()
            proc.wait()
            raise
        after = Snapshot.take(server)
        line = next((x for x in out.decode().splitlines() if x.startswith("WRK_RESULT ")), None)
        if proc.returncode != 0 or line is None:
            raise RuntimeError(f"wrk failed ({proc.returncode}): {err.decode()}{out.decode()}")
        data = json.loads(line.removeprefix("WRK_RESULT "))
        wall = after.wall - before.wall
        server_cpu = after.server - before.server
        client_cpu = after.children - before.children  # wrk is the only child reaped here
        # Backends that exit during the step take their CPU time with them: floor at 0.
        db_cpu = max(0.0, after.postgres - before.postgres)
        own_cpu = after.own - before.own  # this script, including the probe
        other_cpu = (after.busy - before.busy) - server_cpu - client_cpu - db_cpu - own_cpu
        return WrkResult(
            target=target,
            label=label,
            connections=connections,
            duration_s=data["duration_us"] / 1e6,
            requests=data["requests"],
            p50_ms=data["p50_us"] / 1000,
            p99_ms=data["p99_us"] / 1000,
            max_ms=data["max_us"] / 1000,
            classes=data["classes"],
            timeouts=data["timeout"],
            socket_errors=data["connect"] + data["read"] + data["write"],
            per_second=data["per_second"],
            server_cpu_pct=100 * server_cpu / wall,
            client_cpu_pct=100 * client_cpu / wall,
            db_cpu_pct=100 * db_cpu / wall,
            other_cpu_pct=max(0.0, 100 * other_cpu / wall),
            db_sessions_opened=(
                after.db_sessions - before.db_sessions
                if after.db_sessions is not None and before.db_sessions is not None
                else None
            ),
            gc_pauses_ms=server.gc_pauses(before.epoch, time.time()),
        )

    return finish if background else finish()


def settle(server: Server, connections: int) -> None:
    """Let the server drain the previous step's backlog before the next one starts.

    wrk stops sending at the deadline, but the server still works through what
    is queued (up to one request per connection); without a pause that backlog
    lands in the first moments of the next step.
    """
    time.sleep(max(1.0, connections / 128))
    with contextlib.suppress(httpx.HTTPError):
        httpx.get(f"{server.base_url}/healthz", timeout=10)


# --------------------------------------------------------------------------- service setup


@dataclass
class Account:
    email: str
    password: str
    access_token: str


def create_account(base_url: str) -> Account:
    suffix = secrets.token_hex(6)
    email = f"bench-{suffix}@example.com"
    password = f"bench-Pa55word-{suffix}"
    with httpx.Client(base_url=base_url, timeout=30) as client:
        reg = client.post("/v1/auth/register", json={"email": email, "password": password})
        if reg.status_code != 201:
            raise RuntimeError(f"register -> {reg.status_code}: {reg.text[:300]}")
        login = client.post("/v1/auth/login", json={"email": email, "password": password})
        if login.status_code != 200:
            raise RuntimeError(f"login -> {login.status_code}: {login.text[:300]}")
        token = login.json()["access_token"]
        me = client.get("/v1/me", headers={"Authorization": f"Bearer {token}"})
        if me.status_code != 200:
            raise RuntimeError(f"/v1/me -> {me.status_code}: {me.text[:300]}")
    return Account(email, password, token)


def capture_responses(base_url: str, token: str) -> dict[str, dict[str, Any]]:
    """Status, headers and body of the real service, replayed by the bare app."""
    captured: dict[str, dict[str, Any]] = {}
    with httpx.Client(base_url=base_url, timeout=10) as client:
        for path, headers in (
            ("/healthz", {}),
            ("/v1/me", {"Authorization": f"Bearer {token}"}),
        ):
            resp = client.get(path, headers=headers)
            captured[path] = {
                "status": resp.status_code,
                "headers": [[k, v] for k, v in resp.headers.multi_items()],
                "body": resp.text,
            }
    return captured


# --------------------------------------------------------------------------- scenarios


@dataclass
class StormResult:
    target: str
    logins: WrkResult
    probe: ProbeResult
    idle_probe: ProbeResult


@dataclass
class Results:
    steps: list[WrkResult] = field(default_factory=list)
    storms: list[StormResult] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def warm_up(settings: LoadSettings, server: Server, token: str) -> None:
    # Open connections, fill pools and caches before anything is measured.
    for path in ("/healthz", "/v1/me"):
        run_wrk(
            settings, "warm-up", path, f"{server.base_url}{path}", 64, server,
            token=token, duration=1,
        )  # fmt: skip
        settle(server, 64)


def run_standard_steps(
    settings: LoadSettings, target: str, server: Server, token: str, results: Results
) -> None:
    warm_up(settings, server, token)
    for path in ("/healthz", "/v1/me"):
        for connections in (32, 64):
            step = run_wrk(
                settings, target, f"GET {path}", f"{server.base_url}{path}", connections,
                server, token=token,
            )  # fmt: skip
            results.steps.append(step)
            print_step(step)
            settle(server, connections)
    step = run_wrk(
        settings, target, "GET /v1/me", f"{server.base_url}/v1/me", 256, server, token=token
    )
    results.steps.append(step)
    print_step(step)
    settle(server, 256)


def run_login_storm(
    settings: LoadSettings, target: str, server: Server, account: Account, results: Results
) -> None:
    # Baseline: the same probe against an idle server.
    idle = probe_healthz(server, min(3.0, settings.duration))
    body = json.dumps({"email": account.email, "password": account.password})
    finish = run_wrk(
        settings, target, "POST /v1/auth/login", f"{server.base_url}/v1/auth/login", 32,
        server, method="POST", body=body, background=True,
    )  # fmt: skip
    try:
        # Let wrk open its connections first; stop before it winds down.
        time.sleep(0.5)
        busy = probe_healthz(server, max(1.0, settings.duration - 1.0))
    finally:
        logins = finish()
    storm = StormResult(target, logins, busy, idle)
    results.storms.append(storm)
    print(
        f"  login storm [{target}]: {logins.rps:.1f} logins/s (p99 {logins.p99_ms:.0f} ms, "
        f"non-2xx {logins.non_2xx}); /healthz probe {busy.summary()}; idle {idle.summary()}",
        flush=True,
    )


def probe_healthz(server: Server, duration: float) -> ProbeResult:
    return asyncio.run(probe(HOST, server.port, "/healthz", duration, interval=0.02))


def print_step(step: WrkResult) -> None:
    print(
        f"  {step.target:<10} {step.label:<20} c={step.connections:<4} "
        f"{step.rps:>9.0f} req/s  p50 {step.p50_ms:>7.2f} ms  p99 {step.p99_ms:>8.2f} ms  "
        f"non-2xx {step.non_2xx}  5xx {step.status_5xx}  timeouts {step.timeouts}  "
        f"sock-err {step.socket_errors}  stalls {step.stall_seconds}  "
        f"cpu server {step.server_cpu_pct:.0f}% wrk {step.client_cpu_pct:.0f}% "
        f"postgres {step.db_cpu_pct:.0f}% other {step.other_cpu_pct:.0f}%"
        + (
            f"  new db sessions {step.db_sessions_opened}"
            if step.db_sessions_opened is not None
            else ""
        )
        + (
            f"  full GCs {len(step.gc_pauses_ms)} (max {max(step.gc_pauses_ms, default=0):.0f} ms)"
            if step.gc_pauses_ms is not None
            else ""
        ),
        flush=True,
    )


# --------------------------------------------------------------------------- report


def fill_ratios(results: Results) -> None:
    bare = {(s.label, s.connections): s.rps for s in results.steps if s.target == "bare"}
    for step in results.steps:
        base = bare.get((step.label, step.connections))
        if step.target != "bare" and base:
            step.ratio = step.rps / base


def print_table(results: Results) -> None:
    header = (
        f"{'target':<10} {'endpoint':<20} {'conns':>5} {'req/s':>9} {'p50 ms':>8} "
        f"{'p99 ms':>8} {'non-2xx':>8} {'5xx':>5} {'t/o':>5} {'stall s':>7} {'vs bare':>8} "
        f"{'cpu ms/req':>10} {'other cpu':>9}"
    )
    print("\n" + header + "\n" + "-" * len(header))
    for s in results.steps:
        ratio = f"{s.ratio:.0%}" if s.ratio is not None else "-"
        print(
            f"{s.target:<10} {s.label:<20} {s.connections:>5} {s.rps:>9.0f} {s.p50_ms:>8.2f} "
            f"{s.p99_ms:>8.2f} {s.non_2xx:>8} {s.status_5xx:>5} {s.timeouts:>5} "
            f"{s.stall_seconds:>7} {ratio:>8} {s.cpu_ms_per_request:>10.3f} "
            f"{s.other_cpu_pct:>8.0f}%"
        )
    for storm in results.storms:
        print(
            f"\nlogin storm [{storm.target}]: 32 conns on POST /v1/auth/login -> "
            f"{storm.logins.rps:.1f} logins/s, p50 {storm.logins.p50_ms:.0f} ms, "
            f"p99 {storm.logins.p99_ms:.0f} ms, non-2xx {storm.logins.non_2xx}\n"
            f"  /healthz probe (1 conn, every 20 ms) during storm: {storm.probe.summary()}\n"
            f"  /healthz probe on the idle server:                  {storm.idle_probe.summary()}"
        )


def cpu_ratio(results: Results, step: WrkResult) -> float:
    """Bare app's server CPU per request over this step's: the rps ratio the two would
    have on an otherwise idle core, so it holds up when other work shares the machine."""
    for bare in results.steps:
        if (bare.target, bare.label, bare.connections) == ("bare", step.label, step.connections):
            return bare.cpu_ms_per_request / step.cpu_ms_per_request
    return float("nan")


def verdicts(results: Results) -> list[str]:
    lines: list[str] = []

    def verdict(ok: bool, text: str) -> None:
        lines.append(f"{'PASS' if ok else 'MISS'}  {text}")

    for target in sorted({s.target for s in results.steps if s.target != "bare"}):
        steps = [s for s in results.steps if s.target == target]
        for s in steps:
            if s.label == "GET /v1/me" and s.ratio is not None and s.connections <= 64:
                verdict(
                    s.ratio >= ME_RATIO_TARGET,
                    f"[{target}] /v1/me c={s.connections}: {s.rps:.0f} req/s = {s.ratio:.0%} "
                    f"of bare (target >= {ME_RATIO_TARGET:.0%}); by server CPU per request "
                    f"{cpu_ratio(results, s):.1%}",
                )
        for s in steps:
            if s.connections == 64:
                verdict(
                    s.p99_ms < P99_TARGET_MS and s.non_2xx == 0,
                    f"[{target}] {s.label} c=64: p99 {s.p99_ms:.1f} ms "
                    f"(target < {P99_TARGET_MS:.0f} ms), non-2xx {s.non_2xx}",
                )
        for s in steps:
            if s.connections == 256:
                verdict(
                    s.status_5xx == 0 and s.stall_seconds == 0 and s.timeouts == 0,
                    f"[{target}] {s.label} c=256: 5xx {s.status_5xx}, stall seconds "
                    f"{s.stall_seconds}, timeouts {s.timeouts}, socket errors "
                    f"{s.socket_errors}, non-2xx {s.non_2xx}, p99 {s.p99_ms:.0f} ms "
                    f"(target: no 5xx, no stall, no timeout)",
                )
    for storm in results.storms:
        p99 = storm.probe.percentile(99) * 1000
        verdict(
            p99 < STORM_PROBE_P99_TARGET_MS and storm.probe.errors == 0,
            f"[{storm.target}] /healthz p99 during login storm: {p99:.1f} ms "
            f"(target < {STORM_PROBE_P99_TARGET_MS:.0f} ms) at {storm.logins.rps:.1f} logins/s",
        )
    return lines


# --------------------------------------------------------------------------- main


def service_runnable() -> bool:
    atlas = VENV_BIN / "atlas"
    if not atlas.exists():
        return False
    probe_run = subprocess.run(
        [str(atlas), "serve", "--help"], capture_output=True, timeout=60, check=False
    )
    return probe_run.returncode == 0


def service_env(args: argparse.Namespace, data_dir: Path, database_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        ATLAS_ENV="development",
        ATLAS_DATA_DIR=str(data_dir),
        DATABASE_URL=database_url,
        RATE_LIMIT_ENABLED="false",
    )
    for item in args.service_env:
        key, _, value = item.partition("=")
        env[key] = value
    if args.default_logging:
        env.pop("LOG_LEVEL", None)
    else:
        # Keep the benchmark from measuring log formatting and terminal output.
        env["LOG_LEVEL"] = "WARNING"
    return env


def migrate(env: dict[str, str]) -> None:
    done = subprocess.run(
        [str(VENV_BIN / "atlas"), "db", "upgrade"],
        env=env, cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"atlas db upgrade failed:\n{done.stdout}\n{done.stderr}")


def bench_service(
    args: argparse.Namespace,
    target: str,
    database_url: str,
    workdir: Path,
    pinning: Pinning,
    settings: LoadSettings,
    results: Results,
    session_counter: Callable[[], int] | None = None,
) -> dict[str, dict[str, Any]]:
    data_dir = workdir / f"data-{target}"
    data_dir.mkdir()
    env = service_env(args, data_dir, database_url)
    migrate(env)
    port = free_port()
    serve_args = ["serve", "--host", HOST, "--port", str(port), "--workers", "1"]
    argv = [str(VENV_BIN / "atlas"), *serve_args]
    gc_stats_path = None
    if args.gc_stats:
        gc_stats_path = workdir / f"gc-{target}.json"
        env["BENCH_GC_STATS"] = str(gc_stats_path)
        env["BENCH_GC_FREEZE"] = "1" if args.gc_freeze else "0"
        argv = [sys.executable, "-c", GC_WRAPPER, *serve_args]
    log_path = None if args.default_logging else workdir / f"{target}.log"
    server = Server(f"service ({target})", argv, env, port, log_path, pinning.server_cpus)
    server.db_session_counter = session_counter
    server.gc_stats_path = gc_stats_path
    launcher = "atlas (GC-recording wrapper" + (", gc.freeze" if args.gc_freeze else "") + ")"
    print(
        f"\n== service on {target}: {launcher if args.gc_stats else 'atlas'} "
        f"{' '.join(serve_args)}",
        flush=True,
    )
    with running(server):
        account = create_account(server.base_url)
        captured = capture_responses(server.base_url, account.access_token)
        run_standard_steps(settings, target, server, account.access_token, results)
        run_login_storm(settings, target, server, account, results)
        # The service must still answer normally after the heavy steps.
        after = httpx.get(
            f"{server.base_url}/v1/me",
            headers={"Authorization": f"Bearer {account.access_token}"},
            timeout=10,
        )
        if after.status_code != 200:
            results.notes.append(f"[{target}] /v1/me after the run -> {after.status_code}")
    lines, findings = server.log_findings()
    if log_path is not None:
        results.notes.append(f"[{target}] server log: {lines} lines at LOG_LEVEL=WARNING")
        results.notes.extend(f"[{target}] log: {line}" for line in findings)
    return captured


def bench_bare(
    args: argparse.Namespace,
    captured: dict[str, dict[str, Any]] | None,
    workdir: Path,
    pinning: Pinning,
    settings: LoadSettings,
    results: Results,
) -> None:
    env = dict(os.environ)
    if captured:
        spec = workdir / "bare_responses.json"
        spec.write_text(json.dumps(captured))
        env["BARE_APP_RESPONSES"] = str(spec)
    port = free_port()
    argv = [
        str(VENV_BIN / "uvicorn"), "--app-dir", str(ROOT / "bench"), "bare_app:app",
        "--host", HOST, "--port", str(port), "--workers", "1",
        # Same uvicorn settings as `atlas serve`.
        "--loop", args.loop, "--http", args.http, "--no-access-log", "--no-server-header",
        "--proxy-headers", "--log-level", "warning",
    ]  # fmt: skip
    server = Server("bare app", argv, env, port, workdir / "bare.log", pinning.server_cpus)
    print(f"\n== bare ASGI app: uvicorn {' '.join(argv[1:])}", flush=True)
    with running(server):
        run_standard_steps(settings, "bare", server, "bench-token", results)


def main() -> int:
    parser = argparse.ArgumentParser(description="HTTP load benchmark (see module docstring).")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per load step")
    parser.add_argument("--quick", action="store_true", help="3 s steps: a smoke test")
    parser.add_argument(
        "--targets", default="sqlite,bare,postgres", help="comma list of sqlite, bare, postgres"
    )
    parser.add_argument("--pg-dsn", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--no-pin", action="store_true", help="do not pin server and client")
    parser.add_argument("--timeout", type=float, default=2.0, help="wrk per-request timeout, s")
    parser.add_argument("--loop", default="uvloop", help="uvicorn --loop for the bare app")
    parser.add_argument("--http", default="httptools", help="uvicorn --http for the bare app")
    parser.add_argument(
        "--default-logging",
        action="store_true",
        help="leave LOG_LEVEL unset and send server output to /dev/null",
    )
    parser.add_argument(
        "--service-env",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="extra environment for the service, e.g. DB_POOL_SIZE=30 (repeatable)",
    )
    parser.add_argument(
        "--gc-stats",
        action="store_true",
        help="diagnostic: launch the service through a wrapper that records full GC pauses",
    )
    parser.add_argument(
        "--gc-freeze",
        action="store_true",
        help="with --gc-stats: gc.freeze() right after the app is built",
    )
    args = parser.parse_args()
    if args.gc_freeze:
        args.gc_stats = True
    if args.quick:
        args.duration = 3.0
    if shutil.which("wrk") is None:
        print("wrk not found on PATH (Debian: apt-get install wrk)", file=sys.stderr)
        return 2

    # SIGTERM/SIGHUP take the same cleanup path as Ctrl-C.
    def interrupted(signum: int, _frame: Any) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, interrupted)
    signal.signal(signal.SIGHUP, interrupted)

    pinning = choose_pinning(not args.no_pin)
    if pinning.client_cpus is not None:
        os.sched_setaffinity(0, pinning.client_cpus)  # wrk and the probe inherit this
    targets = [t.strip() for t in args.targets.split(",") if t.strip()]
    results = Results()
    print(
        f"Insight Atlas HTTP load benchmark, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}"
        f"\n  cpus: {os.cpu_count()}; {pinning.describe()}"
        f"\n  {args.duration:g} s per step, wrk timeout {args.timeout:g} s, "
        f"logging: {'default, output to /dev/null' if args.default_logging else 'WARNING'}"
        + (f"; service env: {' '.join(args.service_env)}" if args.service_env else "")
        + ("; GC pauses recorded" if args.gc_stats else "")
        + ("; gc.freeze() after start-up" if args.gc_freeze else ""),
        flush=True,
    )
    runnable = service_runnable()
    if not runnable:
        results.notes.append("service not runnable (atlas serve --help failed): bare app only")
        targets = [t for t in targets if t == "bare"]

    with tempfile.TemporaryDirectory(prefix="atlas-bench-") as tmp:
        workdir = Path(tmp)
        script = workdir / "wrk.lua"
        script.write_text(WRK_SCRIPT)
        settings = LoadSettings(
            duration=args.duration,
            threads=len(pinning.client_cpus or os.sched_getaffinity(0)),
            timeout_s=args.timeout,
            client_cpus=pinning.client_cpus,
            script_path=script,
        )
        captured = None
        try:
            if "sqlite" in targets:
                captured = bench_service(
                    args, "sqlite", f"sqlite+aiosqlite:///{workdir}/atlas.db", workdir,
                    pinning, settings, results,
                )  # fmt: skip
            if "bare" in targets:
                bench_bare(args, captured, workdir, pinning, settings, results)
            if "postgres" in targets:
                with postgres_database(args.pg_dsn) as dbname:
                    url = args.pg_dsn.rsplit("/", 1)[0].replace(
                        "postgresql://", "postgresql+asyncpg://", 1
                    )
                    bench_service(
                        args, "postgres", f"{url}/{dbname}", workdir, pinning, settings, results,
                        session_counter=lambda: pg_sessions(args.pg_dsn, dbname),
                    )  # fmt: skip
        except KeyboardInterrupt:
            print("\ninterrupted: servers stopped, temp database dropped", file=sys.stderr)
            return 130

    fill_ratios(results)
    print_table(results)
    print("\nTargets:")
    for line in verdicts(results) or ["(no service target measured)"]:
        print("  " + line)
    noisy = [s for s in results.steps if s.other_cpu_pct > 10]
    if noisy:
        results.notes.append(
            f"{len(noisy)} step(s) shared the machine with other work (>10% of a CPU used by "
            f"other processes, max {max(s.other_cpu_pct for s in noisy):.0f}%): figures are "
            "pessimistic; rerun on a quiet machine"
        )
    if results.notes:
        print("\nNotes:")
        for note in results.notes:
            print("  " + note)
    misses = any(line.startswith("MISS") for line in verdicts(results))
    return 1 if misses else 0


if __name__ == "__main__":
    sys.exit(main())
