"""Sync or async SQLAlchemy for a ``/v1/me``-like read: a fair side-by-side.

Two minimal FastAPI apps answer ``GET /v1/me`` by reading one user row joined
to its subscription row by primary key from PostgreSQL, with the same SQL, the
same response and the same pool sizes (``pool_size=5, max_overflow=10``, the
SQLAlchemy defaults):

* ``sync``  - SQLAlchemy 2 + psycopg 3, session per request, ``def`` endpoint
  (runs in FastAPI's threadpool, 40 threads by default);
* ``async`` - SQLAlchemy 2 + asyncpg, session per request, ``async def`` endpoint;
* ``sync-pool40`` / ``async-pool40`` - controls: the same apps with
  ``pool_size=40, max_overflow=0`` (one connection per threadpool thread).
  With the defaults, every connection above ``pool_size`` is closed when it is
  returned to a full pool and reopened moments later; the controls show each
  access style without that churn ("new db sessions" counts it).

Each is served by uvicorn with one worker (pinned to one CPU when there are
two or more, wrk on the others) and driven by wrk at 64 and 256 connections.
The script creates a throw-away database and drops it on exit, Ctrl-C included.

Run::

    .venv/bin/python bench/db_access.py                # 10 s per step
    .venv/bin/python bench/db_access.py --duration 5
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from sqlalchemy import ForeignKey, String, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

# Run as a script, so bench/ is on sys.path.
from load import (
    HOST,
    WRK_SCRIPT,
    LoadSettings,
    Server,
    WrkResult,
    choose_pinning,
    free_port,
    pg_sessions,
    postgres_database,
    run_wrk,
    settle,
)

POOL_SIZE = 5
MAX_OVERFLOW = 10
USER_COUNT = 1000
# Every request reads the same row; only the access path differs between apps.
BENCH_USER_ID = 42
MODES = ("sync", "async", "sync-pool40", "async-pool40")


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "bench_users"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320))
    status: Mapped[str] = mapped_column(String(32))
    subscription_id: Mapped[int] = mapped_column(ForeignKey("bench_subscriptions.id"))


class Subscription(Base):
    __tablename__ = "bench_subscriptions"
    id: Mapped[int] = mapped_column(primary_key=True)
    plan: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(32))


# The one statement both apps run.
ME_QUERY = (
    select(User.id, User.email, User.status, Subscription.plan, Subscription.status)
    .join(Subscription, Subscription.id == User.subscription_id)
    .where(User.id == BENCH_USER_ID)
)


def profile(row: Any) -> dict[str, Any]:
    user_id, email, status, plan, plan_status = row
    return {
        "id": user_id,
        "email": email,
        "status": status,
        "plan": plan,
        "subscription_status": plan_status,
    }


def sync_app(dsn: str, pool_size: int = POOL_SIZE, max_overflow: int = MAX_OVERFLOW) -> FastAPI:
    from sqlalchemy import create_engine

    engine = create_engine(dsn, pool_size=pool_size, max_overflow=max_overflow)
    sessions = sessionmaker(engine)
    app = FastAPI()

    @app.get("/v1/me")
    def me() -> dict[str, Any]:
        with sessions() as session:
            return profile(session.execute(ME_QUERY).one())

    return app


def async_app(dsn: str, pool_size: int = POOL_SIZE, max_overflow: int = MAX_OVERFLOW) -> FastAPI:
    from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

    engine = create_async_engine(dsn, pool_size=pool_size, max_overflow=max_overflow)
    sessions = async_sessionmaker(engine)
    app = FastAPI()

    @app.get("/v1/me")
    async def me() -> dict[str, Any]:
        async with sessions() as session:
            return profile((await session.execute(ME_QUERY)).one())

    return app


def healthz(app: FastAPI) -> FastAPI:
    @app.get("/healthz")
    async def ok() -> dict[str, str]:
        return {"status": "ok"}

    return app


def serve(mode: str, dbname: str, port: int, pg_base: str) -> None:
    import uvicorn

    if mode == "sync":
        app = sync_app(f"postgresql+psycopg://{pg_base}/{dbname}")
    elif mode == "sync-pool40":
        # One connection per threadpool thread: no thread ever waits for the pool.
        app = sync_app(f"postgresql+psycopg://{pg_base}/{dbname}", pool_size=40, max_overflow=0)
    elif mode == "async":
        app = async_app(f"postgresql+asyncpg://{pg_base}/{dbname}")
    else:
        app = async_app(f"postgresql+asyncpg://{pg_base}/{dbname}", pool_size=40, max_overflow=0)
    uvicorn.run(
        healthz(app), host=HOST, port=port, workers=1, log_level="warning", access_log=False
    )


def seed(pg_base: str, dbname: str) -> None:
    from sqlalchemy import create_engine

    engine = create_engine(f"postgresql+psycopg://{pg_base}/{dbname}")
    Base.metadata.create_all(engine)
    with Session(engine) as session, session.begin():
        session.add_all(
            Subscription(id=i, plan="free" if i % 3 else "plus", status="active")
            for i in range(1, USER_COUNT + 1)
        )
        session.flush()
        session.add_all(
            User(id=i, email=f"user{i}@example.com", status="active", subscription_id=i)
            for i in range(1, USER_COUNT + 1)
        )
    engine.dispose()


def print_result(mode: str, step: WrkResult, opened: int) -> None:
    print(
        f"  {mode:<11} c={step.connections:<4} {step.rps:>7.0f} req/s  p50 {step.p50_ms:>7.1f} ms  "
        f"p99 {step.p99_ms:>7.1f} ms  non-2xx {step.non_2xx}  timeouts {step.timeouts}  "
        f"sock-err {step.socket_errors}  stalls {step.stall_seconds}  "
        f"cpu app {step.server_cpu_pct:.0f}% postgres {step.db_cpu_pct:.0f}% "
        f"wrk {step.client_cpu_pct:.0f}% other {step.other_cpu_pct:.0f}%  new db sessions {opened}",
        flush=True,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description="Sync vs async SQLAlchemy read benchmark.")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per step")
    parser.add_argument("--connections", default="64,256")
    parser.add_argument("--pg", default="postgres@127.0.0.1:5432", help="user@host:port")
    parser.add_argument("--timeout", type=float, default=2.0, help="wrk per-request timeout, s")
    parser.add_argument("--no-pin", action="store_true")
    parser.add_argument("--rounds", type=int, default=1, help="repeat the set of modes")
    parser.add_argument(
        "--modes",
        default=",".join(MODES),
        help="sync and async are the like-for-like pair at the SQLAlchemy default pool "
        "sizes; *-pool40 are the same pair with a fixed 40-connection pool",
    )
    sub = parser.add_subparsers(dest="command")
    serve_cmd = sub.add_parser("serve", help="internal: serve one app")
    serve_cmd.add_argument("--mode", choices=MODES, required=True)
    serve_cmd.add_argument("--db", required=True)
    serve_cmd.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    if args.command == "serve":
        serve(args.mode, args.db, args.port, args.pg)
        return 0

    def interrupted(signum: int, _frame: Any) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, interrupted)
    pinning = choose_pinning(not args.no_pin)
    if pinning.client_cpus is not None:
        os.sched_setaffinity(0, pinning.client_cpus)
    connection_counts = [int(c) for c in args.connections.split(",")]
    print(
        f"sync vs async SQLAlchemy, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; "
        f"cpus: {os.cpu_count()}; {pinning.describe()}\n"
        f"  pool_size={POOL_SIZE} max_overflow={MAX_OVERFLOW} for both; "
        f"{args.duration:g} s per step after a 2 s warm-up; wrk timeout {args.timeout:g} s",
        flush=True,
    )
    results: list[tuple[str, WrkResult, int]] = []
    admin_dsn = f"postgresql://{args.pg}/postgres"
    try:
        with (
            tempfile.TemporaryDirectory(prefix="atlas-dbaccess-") as tmp,
            postgres_database(admin_dsn) as dbname,
        ):
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
            seed(args.pg, dbname)
            # Rounds interleave the modes so slow drift on the machine hits all of them.
            for mode in args.modes.split(",") * args.rounds:
                port = free_port()
                argv = [
                    sys.executable, str(Path(__file__).resolve()), "--pg", args.pg,
                    "serve", "--mode", mode, "--db", dbname, "--port", str(port),
                ]  # fmt: skip
                server = Server(
                    mode, argv, dict(os.environ), port, workdir / f"{mode}.log",
                    pinning.server_cpus,
                )  # fmt: skip
                try:
                    server.start()
                    url = f"{server.base_url}/v1/me"
                    run_wrk(settings, mode, "warm-up", url, 64, server, duration=2)
                    settle(server, 64)
                    for connections in connection_counts:
                        sessions_before = pg_sessions(admin_dsn, dbname)
                        step = run_wrk(settings, mode, "GET /v1/me", url, connections, server)
                        opened = pg_sessions(admin_dsn, dbname) - sessions_before
                        results.append((mode, step, opened))
                        print_result(mode, step, opened)
                        settle(server, connections)
                finally:
                    server.stop()
                tail = server.log_tail(5)
                if tail:
                    print(f"  {mode} server log tail:\n{tail}")
    except KeyboardInterrupt:
        print("\ninterrupted: servers stopped, temp database dropped", file=sys.stderr)
        return 130

    print(
        f"\n{'mode':<11} {'conns':>5} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} "
        f"{'errors':>7} {'t/o':>5} {'non-2xx':>8} {'new db sessions':>16} {'cpu ms/req':>10} "
        f"{'other cpu':>9}"
    )
    for mode, step, opened in results:
        print(
            f"{mode:<11} {step.connections:>5} {step.rps:>8.0f} {step.p50_ms:>8.1f} "
            f"{step.p99_ms:>8.1f} {step.socket_errors:>7} {step.timeouts:>5} {step.non_2xx:>8} "
            f"{opened:>16} {step.cpu_ms_per_request:>10.3f} {step.other_cpu_pct:>8.0f}%"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
