"""Benchmark of `POST /v1/assessments/{id}/submit`: a full IPIP-NEO-120 with 300 words.

For SQLite and then PostgreSQL, one worker on loopback: prepares N assessments over HTTP
(start with consent, save 120 answers and a 300-word text), then drives the submit
endpoint with wrk at 32 connections, each request submitting the next prepared
assessment. A warm-up run of the same load comes first and is not measured: the
connection pool grows to its working size and each connection prepares its statements
there, as in a service that has been up for a while. Prints submits/s, p50 and p99,
and two baselines measured in the same run: `GET /healthz` on the same server with the
same load, and the engine alone (score + to_json of the same input, in this process).
Also prints the CPU time per submit of the API process (and how much of it is kernel
time), its scoring worker, PostgreSQL and the whole machine, read from /proc.

    .venv/bin/python bench/submit.py                 # 10 s per step
    .venv/bin/python bench/submit.py --duration 5 --warmup 2 --targets postgresql

Targets: >= 300 submits/s on PostgreSQL with p99 < 100 ms at 32 connections.
Bounded: every step is one wrk run of --duration seconds; all processes and the
throw-away database are removed on exit.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

# Run as a script, so bench/ is on sys.path.
from load import (
    ROOT,
    VENV_BIN,
    Server,
    choose_pinning,
    free_port,
    pg_sessions,
    postgres_cpu_seconds,
    postgres_database,
    process_cpu_seconds,
    process_system_cpu_seconds,
    process_tree_cpu_seconds,
    running,
    system_busy_seconds,
    system_steal_seconds,
)

sys.path.insert(0, str(ROOT / "src"))
from insight_atlas.consent.ledger import CURRENT_CONSENT_VERSION
from insight_atlas.engine import load_instrument, score

CONNECTIONS = 32
PREPARE_CONCURRENCY = 16
# Assessments prepared per second of each run, unless --prepared says otherwise: well
# above the fastest run so far (815/s), so a run does not run out.
PREPARED_PER_SECOND = 1200
SUBMITS_TARGET = 300.0
P99_TARGET_MS = 100.0
WORDS = (
    "I think we often try new ways to work and I am happy when the team learns together "
    "but sometimes I worry that deadlines pile up and I might lose focus so I plan my week "
    "carefully and always leave time for quiet thinking and honest feedback from others"
).split()

# One wrk thread: its Lua state hands out the prepared assessment ids in order.
SUBMIT_LUA = r"""
local threads = {}
function setup(thread) table.insert(threads, thread) end
local ids = {}
for line in io.lines(os.getenv("SUBMIT_IDS")) do table.insert(ids, line) end
local next_id = 0
local token = os.getenv("SUBMIT_TOKEN")
wrk.method = "POST"
wrk.headers["Authorization"] = "Bearer " .. token
request = function()
  next_id = next_id + 1
  local id = ids[((next_id - 1) % #ids) + 1]
  return wrk.format("POST", "/v1/assessments/" .. id .. "/submit")
end
created, other = 0, 0
response = function(status, headers, body)
  if status == 201 then created = created + 1 else other = other + 1 end
end
done = function(summary, latency, requests)
  -- Counters live in the thread's Lua state; done() runs in the main one.
  local ok, not_ok = 0, 0
  for _, t in ipairs(threads) do ok = ok + t:get("created"); not_ok = not_ok + t:get("other") end
  io.write(string.format('WRK_RESULT {"requests":%d,"duration_us":%d,"p50_us":%d,' ..
    '"p99_us":%d,"created":%d,"other":%d,"errors":%d,"spread_us":[%d,%d,%d,%d,%d,%d]}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), ok, not_ok,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency.min, latency.mean, latency:percentile(75), latency:percentile(90),
    latency:percentile(99.9), latency.max))
end
"""

PLAIN_LUA = r"""
done = function(summary, latency, requests)
  io.write(string.format('WRK_RESULT {"requests":%d,"duration_us":%d,"p50_us":%d,' ..
    '"p99_us":%d,"created":%d,"other":0,"errors":%d}\n', summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(99), summary.requests,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
"""


def three_hundred_words(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(300)]
    sentences = [" ".join(words[i : i + 15]).capitalize() + "." for i in range(0, 300, 15)]
    return " ".join(sentences)


def full_answers(rng: random.Random) -> dict[str, int]:
    return {item.id: rng.randint(1, 5) for item in load_instrument("ipip-neo-120").items}


def engine_rate(seconds: float = 2.0) -> float:
    rng = random.Random(7)
    answers, text = full_answers(rng), three_hundred_words(rng)
    count, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        score("ipip-neo-120", answers, free_text=text).to_json()
        count += 1
    return count / (time.perf_counter() - started)


async def prepare(base_url: str) -> tuple[str, str]:
    """A new account and its access token."""
    email = f"bench-{os.getpid()}@example.com"
    password = "bench-Pa55word-submit"
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as client:
        (await client.post("/v1/auth/register", json={"email": email, "password": password}))
        token = (
            await client.post("/v1/auth/login", json={"email": email, "password": password})
        ).json()["access_token"]
    return email, token


async def fill(base_url: str, token: str, count: int) -> list[str]:
    rng = random.Random(13)
    headers = {"Authorization": f"Bearer {token}"}
    ids: list[str] = []
    semaphore = asyncio.Semaphore(PREPARE_CONCURRENCY)

    async def one(client: httpx.AsyncClient) -> None:
        async with semaphore:
            started = await client.post(
                "/v1/assessments",
                json={"instrument": "ipip-neo-120", "consent_version": CURRENT_CONSENT_VERSION},
                headers=headers,
            )
            started.raise_for_status()
            assessment_id = started.json()["id"]
            saved = await client.put(
                f"/v1/assessments/{assessment_id}/responses",
                json={"answers": full_answers(rng), "free_text": three_hundred_words(rng)},
                headers=headers,
            )
            saved.raise_for_status()
            ids.append(assessment_id)

    limits = httpx.Limits(max_connections=PREPARE_CONCURRENCY)
    async with httpx.AsyncClient(base_url=base_url, timeout=60, limits=limits) as client:
        await asyncio.gather(*(one(client) for _ in range(count)))
    return ids


def make_pro(database_url: str, email: str) -> None:
    """Billing has its own benchmark; here the account is simply put on Pro."""
    import sqlalchemy as sa

    sync_url = database_url.split("?")[0].replace("+asyncpg", "+psycopg").replace("+aiosqlite", "")
    engine = sa.create_engine(sync_url)
    with engine.begin() as connection:
        connection.execute(
            sa.text(
                "UPDATE subscription SET plan = 'pro_monthly', status = 'active' "
                'WHERE user_id = (SELECT id FROM "user" WHERE email = :email)'
            ),
            {"email": email},
        )
    engine.dispose()


def wrk(
    script: Path, url: str, duration: float, env: dict[str, str], cpus: set[int] | None
) -> dict:  # type: ignore[type-arg]
    argv = ["wrk", "-t1", f"-c{CONNECTIONS}", f"-d{max(1, round(duration))}s", "--timeout=5s"]
    argv += ["-s", str(script), url]

    def pin() -> None:
        if cpus is not None:
            os.sched_setaffinity(0, cpus)

    completed = subprocess.run(
        argv,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=duration + 60,
        check=False,
        preexec_fn=pin,
    )
    line = next((x for x in completed.stdout.splitlines() if x.startswith("WRK_RESULT ")), None)
    if line is None:
        raise RuntimeError(f"wrk failed: {completed.stderr}{completed.stdout}")
    data: dict = json.loads(line.removeprefix("WRK_RESULT "))  # type: ignore[type-arg]
    data["rate"] = data["created"] / (data["duration_us"] / 1e6)
    return data


def cpu_split(api_pid: int) -> dict[str, float]:
    """CPU seconds so far of the API process, its scoring worker(s), PostgreSQL and the
    whole machine (the API process's children are its scoring workers)."""
    api = process_cpu_seconds(api_pid)
    return {
        "api": api,
        "api_system": process_system_cpu_seconds(api_pid),
        "scoring": process_tree_cpu_seconds(api_pid) - api,
        "postgres": postgres_cpu_seconds(),
        "machine": system_busy_seconds(),
        "steal": system_steal_seconds(),
    }


def bench_target(
    name: str, database_url: str, args: argparse.Namespace, workdir: Path
) -> dict[str, dict]:  # type: ignore[type-arg]
    pinning = choose_pinning(args.pin)
    env = {
        **os.environ,
        "ATLAS_ENV": "development",
        "DATABASE_URL": database_url,
        "ATLAS_DATA_DIR": str(workdir / name),
        "RATE_LIMIT_ENABLED": "false",
        "LOG_LEVEL": "WARNING",
    }
    subprocess.run(
        [str(VENV_BIN / "atlas"), "db", "upgrade"], env=env, check=True, capture_output=True
    )
    port = free_port()
    server = Server(
        name,
        [
            str(VENV_BIN / "atlas"),
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            "1",
        ],
        env,
        port,
        workdir / f"{name}.log",
        pinning.server_cpus,
    )
    with running(server):
        email, token = asyncio.run(prepare(server.base_url))
        make_pro(database_url, email)
        started = time.monotonic()
        prepared = args.prepared or round(PREPARED_PER_SECOND * args.duration)
        warmup_count = round(PREPARED_PER_SECOND * args.warmup)
        ids = asyncio.run(fill(server.base_url, token, prepared + warmup_count))
        print(f"[{name}] prepared {len(ids)} assessments in {time.monotonic() - started:.1f} s")
        warmup_ids, ids = ids[:warmup_count], ids[warmup_count:]
        ids_file, warmup_file = workdir / f"{name}-ids.txt", workdir / f"{name}-warmup.txt"
        ids_file.write_text("\n".join(ids) + "\n")
        warmup_file.write_text("\n".join(warmup_ids) + "\n")
        submit_lua, plain_lua = workdir / "submit.lua", workdir / "plain.lua"
        submit_lua.write_text(SUBMIT_LUA)
        plain_lua.write_text(PLAIN_LUA)

        def submit_run(ids_path: Path, seconds: float) -> dict:  # type: ignore[type-arg]
            env = {"SUBMIT_IDS": str(ids_path), "SUBMIT_TOKEN": token}
            return wrk(submit_lua, server.base_url, seconds, env, pinning.client_cpus)

        if warmup_ids:
            warm = submit_run(warmup_file, args.warmup)
            print(f"[{name}] warm-up: {warm['created']} submits in {args.warmup:g} s, not measured")
        healthz = wrk(
            plain_lua, f"{server.base_url}/healthz", args.duration, {}, pinning.client_cpus
        )
        time.sleep(1)
        assert server.proc is not None
        dbname = database_url.rsplit("/", 1)[1].split("?", 1)[0]
        pg = name == "postgresql"
        sessions_before = pg_sessions(args.pg_dsn, dbname) if pg else 0
        before = cpu_split(server.proc.pid)
        submits = submit_run(ids_file, args.duration)
        after = cpu_split(server.proc.pid)
        if pg:
            submits["sessions_opened"] = pg_sessions(args.pg_dsn, dbname) - sessions_before
        submits["cpu_ms"] = {
            part: 1000 * (after[part] - before[part]) / max(1, submits["created"])
            for part in before
        }
        if submits["created"] >= len(ids):
            print(f"[{name}] WARNING: ran out of prepared assessments; raise --prepared")
    return {"healthz": healthz, "submit": submits}


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument(
        "--prepared",
        type=int,
        default=0,
        help=f"assessments for the measured run (default: {PREPARED_PER_SECOND} per second"
        " of --duration)",
    )
    parser.add_argument(
        "--warmup",
        type=float,
        default=3.0,
        help="seconds of unmeasured submits before the measured run (0: none)",
    )
    parser.add_argument("--pg-dsn", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--targets", default="sqlite,postgresql")
    parser.add_argument(
        "--pin",
        action="store_true",
        help="pin the server (and so its scoring worker) to CPU 0 and wrk to CPU 1",
    )
    parser.add_argument(
        "--pg-query",
        default="",
        help="appended to the service's DATABASE_URL, e.g. '?ssl=require' to measure TLS"
        " where the server offers it (asyncpg's default, 'prefer', uses TLS only then)",
    )
    args = parser.parse_args()

    engine = engine_rate()
    print(f"engine alone (score + to_json, IPIP-NEO-120 + 300 words): {engine:.0f} reports/s")
    results: dict[str, dict[str, dict]] = {}  # type: ignore[type-arg]
    with tempfile.TemporaryDirectory(prefix="atlas-submit-") as tmp:
        workdir = Path(tmp)
        if "sqlite" in args.targets:
            results["sqlite"] = bench_target(
                "sqlite", f"sqlite+aiosqlite:///{workdir / 'bench.db'}", args, workdir
            )
        if "postgresql" in args.targets:
            with postgres_database(args.pg_dsn) as dbname:
                url = args.pg_dsn.rsplit("/", 1)[0].replace(
                    "postgresql://", "postgresql+asyncpg://"
                )
                shown = args.pg_query or "(none)"
                print(f"[postgresql] DATABASE_URL query: {shown}")
                results["postgresql"] = bench_target(
                    "postgresql", f"{url}/{dbname}{args.pg_query}", args, workdir
                )

    print(
        f"\n{'target':<11} {'endpoint':<30} {'conns':>5} {'ok/s':>8} {'p50 ms':>8}"
        f" {'p99 ms':>8} {'non-2xx':>8} {'errors':>6}"
    )
    for name, steps in results.items():
        for label, step in (("GET /healthz", steps["healthz"]), ("POST …/submit", steps["submit"])):
            print(
                f"{name:<11} {label:<30} {CONNECTIONS:>5} {step['rate']:>8.0f} "
                f"{step['p50_us'] / 1000:>8.1f} {step['p99_us'] / 1000:>8.1f}"
                f" {step['other']:>8} {step['errors']:>6}"
            )
        submit = steps["submit"]
        low, mean, p75, p90, p999, high = (us / 1000 for us in submit["spread_us"])
        print(
            f"{name:<11} submit latency ms: min {low:.1f}, mean {mean:.1f}, p75 {p75:.1f},"
            f" p90 {p90:.1f}, p99.9 {p999:.1f}, max {high:.1f}"
            f" (32 connections / rate = {1000 * CONNECTIONS / submit['rate']:.1f})"
        )
        cpu = submit["cpu_ms"]
        print(
            f"{name:<11} CPU ms per submit: API {cpu['api']:.2f} (kernel"
            f" {cpu['api_system']:.2f}), scoring worker"
            f" {cpu['scoring']:.2f}, PostgreSQL {cpu['postgres']:.2f}, whole machine"
            f" {cpu['machine']:.2f} ({os.cpu_count()} CPUs; of it stolen by the hypervisor"
            f" {cpu['steal']:.2f})"
        )
        if "sessions_opened" in submit:
            expected = (
                "0 after the warm-up; more is churn"
                if args.warmup
                else f"up to {CONNECTIONS - PREPARE_CONCURRENCY} as the pool grows from the"
                f" preparation's {PREPARE_CONCURRENCY} to {CONNECTIONS}; more is churn"
            )
            print(
                f"{name:<11} PostgreSQL sessions opened during the submit step:"
                f" {submit['sessions_opened']} ({expected})"
            )
        print(
            f"{name:<11} submit / healthz = {submit['rate'] / steps['healthz']['rate']:.1%}; "
            f"submit / engine alone = {submit['rate'] / engine:.1%}"
        )
    ok = True
    if "postgresql" in results:
        submit = results["postgresql"]["submit"]
        p99 = submit["p99_us"] / 1000
        passed = submit["rate"] >= SUBMITS_TARGET and p99 < P99_TARGET_MS and submit["other"] == 0
        ok = passed
        print(
            f"\n{'PASS' if passed else 'MISS'}  [postgresql] submit c=32: {submit['rate']:.0f}/s "
            f"(target >= {SUBMITS_TARGET:.0f}), p99 {p99:.1f} ms (target < {P99_TARGET_MS:.0f}),"
            f" non-201 {submit['other']}"
        )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
