"""Low-rate latency probe over one HTTP/1.1 keep-alive connection.

The bulk load comes from wrk; this probe is the "innocent bystander": while wrk
saturates one endpoint, it sends one small request every ``interval`` seconds
to another endpoint and records how long each took. Latency is measured from
the *scheduled* send time whenever the probe fell behind schedule, so a request
that had to wait behind a slow response is charged for the wait (no coordinated
omission).

Usable on its own::

    .venv/bin/python bench/loadgen.py --port 8000 --path /healthz --duration 10
"""

from __future__ import annotations

import argparse
import asyncio
import math
import statistics
import time
from dataclasses import dataclass, field


@dataclass
class ProbeResult:
    latencies_s: list[float] = field(default_factory=list)
    errors: int = 0
    non_2xx: int = 0

    def percentile(self, pct: float) -> float:
        """Nearest-rank percentile in seconds (nan when there are no samples)."""
        if not self.latencies_s:
            return float("nan")
        ordered = sorted(self.latencies_s)
        rank = max(1, math.ceil(pct / 100 * len(ordered)))
        return ordered[rank - 1]

    def summary(self) -> str:
        if not self.latencies_s:
            return f"no samples, errors={self.errors}"
        return (
            f"n={len(self.latencies_s)} p50={self.percentile(50) * 1000:.1f}ms "
            f"p99={self.percentile(99) * 1000:.1f}ms max={max(self.latencies_s) * 1000:.1f}ms "
            f"mean={statistics.fmean(self.latencies_s) * 1000:.1f}ms "
            f"non2xx={self.non_2xx} errors={self.errors}"
        )


async def _read_response(reader: asyncio.StreamReader) -> int:
    """Read one HTTP/1.1 response with a Content-Length body; return the status."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    status = int(lines[0].split(b" ", 2)[1])
    length = 0
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    if length:
        await reader.readexactly(length)
    return status


async def probe(
    host: str,
    port: int,
    path: str,
    duration: float,
    interval: float = 0.02,
    request_timeout: float = 5.0,
) -> ProbeResult:
    """Send ``GET path`` every ``interval`` seconds for ``duration`` seconds."""
    result = ProbeResult()
    request = f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\n\r\n".encode()
    reader, writer = await asyncio.open_connection(host, port)
    try:
        start = time.perf_counter()
        sent = 0
        while True:
            scheduled = start + sent * interval
            if scheduled - start >= duration:
                break
            delay = scheduled - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
                # On schedule: time from the real send, so timer overshoot of
                # the sleep is not charged to the server.
                origin = time.perf_counter()
            else:
                # Behind schedule because the previous response was slow.
                origin = scheduled
            sent += 1
            try:
                writer.write(request)
                status = await asyncio.wait_for(_read_response(reader), request_timeout)
            except (OSError, TimeoutError, asyncio.IncompleteReadError, ValueError):
                # The connection state is unknown after a failure: reconnect.
                result.errors += 1
                writer.close()
                reader, writer = await asyncio.open_connection(host, port)
                continue
            result.latencies_s.append(time.perf_counter() - origin)
            if not 200 <= status < 300:
                result.non_2xx += 1
    finally:
        writer.close()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--path", default="/healthz")
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--interval", type=float, default=0.02)
    args = parser.parse_args()
    result = asyncio.run(probe(args.host, args.port, args.path, args.duration, args.interval))
    print(result.summary())


if __name__ == "__main__":
    main()
