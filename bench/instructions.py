"""CPU instructions per request in the API process, counted by valgrind's callgrind.

Wall-clock rates on a shared machine move by a factor of two from one hour to the next;
instruction counts do not. This benchmark serves the API on PostgreSQL under
`valgrind --tool=callgrind` (the scoring worker, a child process, runs natively and is not
counted) and, with counters zeroed and dumped between steps, counts the instructions
the API process spends on N requests of each kind:

- `GET /healthz`, the baseline: the HTTP server, middleware and routing alone;
- `GET /v1/me`: token check, principal lookup, response;
- `POST /v1/assessments/{id}/submit` of a full IPIP-NEO-120 with 300 words (prepared
  beforehand by a normal server, as in bench/submit.py).

    .venv/bin/python bench/instructions.py                 # 200 requests of each kind
    .venv/bin/python bench/instructions.py --requests 300
    .venv/bin/python bench/instructions.py --keep /tmp/dumps   # then callgrind_annotate

Needs valgrind (`apt-get install valgrind`). Bounded: N requests per step, 8 at a time,
on 127.0.0.1; the server and the throw-away database are removed on exit. Takes a few
minutes: the server runs about 50 times slower under callgrind.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

# Run as a script, so bench/ is on sys.path.
from load import VENV_BIN, Server, free_port, postgres_database, running
from submit import fill, make_pro, prepare

CONCURRENCY = 8


def dump_totals(out_file: Path, before: set[Path]) -> int:
    """The instruction total of the newest callgrind dump."""
    for _ in range(600):
        new = sorted(set(out_file.parent.glob(out_file.name + ".*")) - before)
        if new:
            text = new[-1].read_text()
            for line in text.splitlines():
                if line.startswith(("summary:", "totals:")):
                    return int(line.split()[1])
        time.sleep(0.1)
    raise RuntimeError("callgrind wrote no dump")


def callgrind(command: str, pid: int) -> None:
    subprocess.run(["callgrind_control", command, str(pid)], check=True, capture_output=True)


async def drive(base_url: str, token: str, paths: list[tuple[str, str]]) -> int:
    """Send each (method, path) with CONCURRENCY in flight; returns how many were 2xx."""
    semaphore = asyncio.Semaphore(CONCURRENCY)
    headers = {"Authorization": f"Bearer {token}"}
    ok = 0
    async with httpx.AsyncClient(base_url=base_url, timeout=300, headers=headers) as client:

        async def one(method: str, path: str) -> None:
            nonlocal ok
            async with semaphore:
                response = await client.request(method, path)
                ok += response.is_success

        await asyncio.gather(*(one(method, path) for method, path in paths))
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--pg-dsn", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument(
        "--keep",
        type=Path,
        help="copy each step's callgrind dump here (for callgrind_annotate --inclusive=yes)",
    )
    args = parser.parse_args()
    if shutil.which("valgrind") is None:
        print("valgrind is not installed: apt-get install valgrind", file=sys.stderr)
        return 2
    n = args.requests

    with (
        tempfile.TemporaryDirectory(prefix="atlas-instr-") as tmp,
        postgres_database(args.pg_dsn) as dbname,
    ):
        workdir = Path(tmp)
        url = args.pg_dsn.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
        database_url = f"{url}/{dbname}"
        env = {
            **os.environ,
            "ATLAS_ENV": "development",
            "DATABASE_URL": database_url,
            "ATLAS_DATA_DIR": str(workdir / "data"),
            "RATE_LIMIT_ENABLED": "false",
            "LOG_LEVEL": "WARNING",
            "PYTHONHASHSEED": "0",
        }
        subprocess.run(
            [str(VENV_BIN / "atlas"), "db", "upgrade"], env=env, check=True, capture_output=True
        )
        port = free_port()
        serve = ["serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "1"]
        server = Server("prepare", [str(VENV_BIN / "atlas"), *serve], env, port, None, None)
        with running(server):
            email, token = asyncio.run(prepare(server.base_url))
            make_pro(database_url, email)
            ids = asyncio.run(fill(server.base_url, token, n))
        print(f"prepared {len(ids)} assessments; starting the API under callgrind")

        out_file = workdir / "callgrind.out"
        argv = [
            "valgrind",
            "--tool=callgrind",
            f"--callgrind-out-file={out_file}",
            "--trace-children=no",
            str(VENV_BIN / "python"),
            str(VENV_BIN / "atlas"),
            *serve,
        ]
        # Valgrind runs the program in its own process, so the pid is the API's.
        counted = Server("callgrind", argv, env, port, workdir / "valgrind.log", None)
        try:
            counted.start(ready_timeout=900)
            assert counted.proc is not None
            steps: list[tuple[str, list[tuple[str, str]]]] = [
                ("GET /healthz", [("GET", "/healthz")] * n),
                ("GET /v1/me", [("GET", "/v1/me")] * n),
                (
                    "POST …/submit",
                    [("POST", f"/v1/assessments/{i}/submit") for i in ids[:n]],
                ),
            ]
            results: list[tuple[str, int, int]] = []
            for label, paths in steps:
                callgrind("-z", counted.proc.pid)
                before = set(workdir.glob(out_file.name + ".*"))
                ok = asyncio.run(drive(counted.base_url, token, paths))
                callgrind("-d", counted.proc.pid)
                results.append((label, ok, dump_totals(out_file, before)))
                if args.keep is not None:
                    args.keep.mkdir(parents=True, exist_ok=True)
                    (dump,) = set(workdir.glob(out_file.name + ".*")) - before
                    name = label.split()[-1].strip("/").replace("/", "-").replace("…-", "")
                    shutil.copy(dump, args.keep / f"callgrind.{name}")
                print(f"  {label}: {ok}/{len(paths)} succeeded", flush=True)
        finally:
            counted.stop()

    baseline = results[0][2] / n
    print(f"\n{'request':<16} {'ok':>5} {'instructions/request':>22} {'vs /healthz':>12}")
    for label, ok, total in results:
        per = total / n
        print(f"{label:<16} {ok:>5} {per:>22,.0f} {per / baseline:>11.1f}x")
    return 0 if all(ok == n for _, ok, _ in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
