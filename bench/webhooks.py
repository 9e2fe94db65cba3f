"""Stripe webhook throughput on PostgreSQL, one worker, with an in-run baseline.

Starts the service (``atlas serve --workers 1``) on a throw-away PostgreSQL database,
pre-creates users with linked subscriptions, then drives ``POST /v1/stripe/webhook``
with signed Stripe-format events from N concurrent keep-alive connections:

* distinct events: ``customer.subscription.updated`` and ``invoice.paid`` alternating
  over the users; each must be handled exactly once;
* a duplicate storm: one event delivered many times at once; exactly one delivery may
  apply it, every other one must answer ``duplicate``;
* baseline: ``GET /healthz`` with the same client and connection count.

Run::

    .venv/bin/python bench/webhooks.py
    .venv/bin/python bench/webhooks.py --events 4000 --connections 64

Needs a trust-auth PostgreSQL at ``--pg-dsn``. The database and the server process it
creates are removed on exit, Ctrl-C included. Exits 1 when a target is missed or an
event had its effect other than exactly once.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import psycopg
import stripe

from insight_atlas.billing import sandbox_events

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
HOST = "127.0.0.1"
SECRET = "whsec_bench_webhooks_secret_0123456789"
PRICE_MONTHLY = "price_bench_monthly"
PRICE_YEARLY = "price_bench_yearly"
EVENTS_PER_SECOND_TARGET = 500.0


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process and its children so far (from /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = sum(int(value) for value in fields[11:15])
    return ticks / os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def scratch_database(admin_dsn: str) -> Iterator[str]:
    name = f"atlas_bench_webhooks_{os.getpid()}"
    with psycopg.connect(admin_dsn, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        with psycopg.connect(admin_dsn, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def dsn_for(admin_dsn: str, database: str) -> str:
    return admin_dsn.rsplit("/", 1)[0] + f"/{database}"


def create_users(dsn: str, count: int) -> list[int]:
    """Users whose subscriptions are already linked to Stripe ids, as after a checkout."""
    with psycopg.connect(dsn, autocommit=True) as connection:
        ids = []
        for number in range(count):
            row = connection.execute(
                'INSERT INTO "user" (email, password_hash, is_active, password_changed_at,'
                " created_at, updated_at) VALUES (%s, 'x', true, now(), now(), now())"
                " RETURNING id",
                (f"bench-{number}@example.com",),
            ).fetchone()
            assert row is not None
            ids.append(int(row[0]))
            connection.execute(
                "INSERT INTO subscription (user_id, plan, status, stripe_customer_id,"
                " stripe_subscription_id, cancel_at_period_end, created_at, updated_at)"
                " VALUES (%s, 'pro_monthly', 'active', %s, %s, false, now(), now())",
                (row[0], f"cus_bench_{row[0]}", f"sub_bench_{row[0]}"),
            )
        return ids


def subscription_event(event_id: str, user_id: int, created: int, yearly: bool) -> dict:
    subscription = {
        "id": f"sub_bench_{user_id}",
        "object": "subscription",
        "customer": f"cus_bench_{user_id}",
        "status": "active",
        "cancel_at_period_end": False,
        "metadata": {"user_id": str(user_id)},
        "items": {
            "object": "list",
            "data": [
                {
                    "id": f"si_bench_{user_id}",
                    "object": "subscription_item",
                    "price": {"id": PRICE_YEARLY if yearly else PRICE_MONTHLY},
                    "current_period_end": created + 30 * 86_400,
                }
            ],
        },
    }
    return dict(
        sandbox_events.event(event_id, "customer.subscription.updated", created, subscription)
    )


def invoice_event(event_id: str, user_id: int, created: int) -> dict:
    invoice = {
        "id": f"in_{event_id}",
        "object": "invoice",
        "customer": f"cus_bench_{user_id}",
        "status": "paid",
        "parent": {
            "type": "subscription_details",
            "subscription_details": {"subscription": f"sub_bench_{user_id}"},
        },
        "lines": {"object": "list", "data": []},
    }
    return dict(sandbox_events.event(event_id, "invoice.paid", created, invoice))


def signed(event: dict) -> bytes:
    """A delivery signed as Stripe signs it: t=<unix>,v1=HMAC-SHA256(secret, "t.body")."""
    payload = json.dumps(event).encode()
    header = stripe.WebhookSignature.generate_signature_header(payload.decode(), SECRET)
    headers = {"Content-Type": "application/json", "Stripe-Signature": header}
    return raw_request("POST", "/v1/stripe/webhook", payload, headers)


def raw_request(
    method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None
) -> bytes:
    """One HTTP/1.1 keep-alive request, serialised once before the clock starts."""
    lines = [f"{method} {path} HTTP/1.1", f"Host: {HOST}", f"Content-Length: {len(body)}"]
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


async def _exchange(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes
) -> tuple[int, bytes]:
    writer.write(request)
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = 0
    for line in head.split(b"\r\n"):
        if line[:15].lower() == b"content-length:":
            length = int(line[15:])
    return status, await reader.readexactly(length)


async def drive(port: int, requests: list[bytes], connections: int) -> tuple[float, Counter[str]]:
    """Send every request over `connections` keep-alive connections; (seconds, outcomes).

    A minimal HTTP/1.1 client on raw asyncio streams: a general-purpose client costs more
    CPU per request than the endpoints measured, and would measure itself.
    """
    outcomes: Counter[str] = Counter()
    pending = iter(requests)
    streams = [await asyncio.open_connection(HOST, port) for _ in range(connections)]

    async def worker(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        for request in pending:
            status, body = await _exchange(reader, writer, request)
            if status == 200 and body.startswith(b'{"status":"'):
                outcomes[json.loads(body)["status"]] += 1
            else:
                outcomes[str(status)] += 1

    started = time.perf_counter()
    await asyncio.wait_for(asyncio.gather(*(worker(r, w) for r, w in streams)), timeout=600)
    elapsed = time.perf_counter() - started
    for _, writer in streams:
        writer.close()
    return elapsed, outcomes


def handled_effects(dsn: str, event_ids: list[str]) -> tuple[int, int]:
    """(events handled, total handler attempts) among the given event ids."""
    with psycopg.connect(dsn) as connection:
        row = connection.execute(
            "SELECT count(*) FILTER (WHERE handled_at IS NOT NULL), coalesce(sum(attempts), 0)"
            " FROM stripe_event WHERE stripe_event_id = ANY(%s)",
            (event_ids,),
        ).fetchone()
    assert row is not None
    return int(row[0]), int(row[1])


def start_service(database_url: str, port: int, data_dir: str) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "ATLAS_ENV": "development",
        "DATABASE_URL": database_url,
        "ATLAS_DATA_DIR": data_dir,
        "LOG_LEVEL": "WARNING",
        "RATE_LIMIT_ENABLED": "false",
        "STRIPE_SECRET_KEY": "",
        "STRIPE_WEBHOOK_SECRET": SECRET,
        "STRIPE_PRICE_PRO_MONTHLY": PRICE_MONTHLY,
        "STRIPE_PRICE_PRO_YEARLY": PRICE_YEARLY,
    }
    argv = [str(VENV_BIN / "atlas"), "serve", "--host", HOST, "--port", str(port)]
    proc = subprocess.Popen(
        [*argv, "--workers", "1"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"service exited with {proc.returncode}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"http://{HOST}:{port}/readyz", timeout=1).status_code == 200:
                return proc
        time.sleep(0.1)
    raise RuntimeError("service not ready after 60 s")


def service_pid(proc: subprocess.Popen[bytes]) -> int:
    """The process that serves: with one worker, `atlas serve` itself (its children are the
    scoring workers, which no webhook uses)."""
    return proc.pid


def stop_service(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(5)


def run(args: argparse.Namespace) -> int:
    from insight_atlas import migrate

    failures: list[str] = []
    with scratch_database(args.pg_dsn) as database, tempfile.TemporaryDirectory() as data_dir:
        dsn = dsn_for(args.pg_dsn, database)
        url = dsn.replace("postgresql://", "postgresql+asyncpg://", 1)
        migrate.upgrade(url)
        users = create_users(dsn, args.users)
        port = free_port()
        proc = start_service(url, port, data_dir)
        try:
            healthz = raw_request("GET", "/healthz")
            asyncio.run(drive(port, [healthz] * 500, args.connections))

            server_pid = service_pid(proc)
            baseline = [healthz] * args.events
            cpu_before = cpu_seconds(server_pid)
            base_seconds, base_outcomes = asyncio.run(drive(port, baseline, args.connections))
            base_cpu = cpu_seconds(server_pid) - cpu_before
            base_rate = args.events / base_seconds

            # Stamped in the past, one second apart: the webhook refuses a `created` more than a
            # minute ahead of its clock (billing/stripe_webhook.CLOCK_SKEW_SECONDS).
            now = int(time.time()) - args.events - 120
            events = []
            for number in range(args.events):
                user_id = users[number % len(users)]
                event_id = f"evt_bench_{number:06d}"
                if number % 2:
                    events.append(invoice_event(event_id, user_id, now + number))
                else:
                    events.append(
                        subscription_event(event_id, user_id, now + number, number % 4 == 0)
                    )
            distinct = [signed(event) for event in events]
            cpu_before = cpu_seconds(server_pid)
            seconds, outcomes = asyncio.run(drive(port, distinct, args.connections))
            distinct_cpu = cpu_seconds(server_pid) - cpu_before
            rate = args.events / seconds
            handled, attempts = handled_effects(dsn, [event["id"] for event in events])

            storm_event = subscription_event("evt_bench_storm", users[0], now + args.events, True)
            storm = [signed(storm_event)] * args.duplicates
            cpu_before = cpu_seconds(server_pid)
            storm_seconds, storm_outcomes = asyncio.run(drive(port, storm, args.connections))
            storm_cpu = cpu_seconds(server_pid) - cpu_before
            storm_handled, storm_attempts = handled_effects(dsn, ["evt_bench_storm"])
        finally:
            stop_service(proc)

    print(f"users: {len(users)}, connections: {args.connections}, one worker, PostgreSQL")
    print(
        "| case | requests | seconds | per second | vs /healthz"
        " | per server CPU-second | outcomes |"
    )
    print("|---|---:|---:|---:|---:|---:|---|")
    rows = [
        ("baseline GET /healthz", args.events, base_seconds, base_cpu, base_outcomes),
        ("distinct events", args.events, seconds, distinct_cpu, outcomes),
        ("duplicate storm (1 event)", args.duplicates, storm_seconds, storm_cpu, storm_outcomes),
    ]
    for name, count, took, cpu, seen in rows:
        per_second = count / took
        per_cpu = count / cpu if cpu > 0 else float("nan")
        print(
            f"| {name} | {count} | {took:.2f} | {per_second:,.0f} | {per_second / base_rate:.3f}"
            f" | {per_cpu:,.0f} | {dict(seen)} |"
        )
    print(
        f"effects: distinct events handled {handled}/{args.events} with {attempts} handler runs;"
        f" storm event handled {storm_handled} time(s) with {storm_attempts} handler run(s)"
    )

    if outcomes.get("handled") != args.events or handled != args.events or attempts != args.events:
        failures.append("a distinct event was not applied exactly once")
    if (storm_outcomes.get("handled"), storm_outcomes.get("duplicate")) != (1, args.duplicates - 1):
        failures.append("the duplicate storm was not applied exactly once")
    if (storm_handled, storm_attempts) != (1, 1):
        failures.append("the storm event row does not show exactly one handler run")
    if rate < EVENTS_PER_SECOND_TARGET:
        failures.append(f"distinct events {rate:.0f}/s < target {EVENTS_PER_SECOND_TARGET:.0f}/s")
    for failure in failures:
        print(f"MISS: {failure}")
    if not failures:
        print(
            f"PASS: ≥ {EVENTS_PER_SECOND_TARGET:.0f} distinct events/s, every effect exactly once"
        )
    return 1 if failures else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--duplicates", type=int, default=1000)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--pg-dsn", default="postgresql://postgres@127.0.0.1:5432/postgres")
    sys.exit(run(parser.parse_args()))


if __name__ == "__main__":
    main()
