"""Database pool and slot gauges, read from one app's engine when /metrics is scraped.

Read at scrape time rather than kept up to date on every checkout: the hot path pays
nothing, and the figures belong to the app that answers the scrape (tests and tools run
several apps in one process; the counters of ops/metrics.py are process-wide).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable

from prometheus_client import Metric
from prometheus_client.core import GaugeMetricFamily
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.pool import QueuePool


class DatabasePoolCollector:
    """A prometheus_client collector of the connection pool and the request slots."""

    def __init__(self, engine: AsyncEngine, slots: asyncio.Semaphore | None) -> None:
        self._engine = engine
        self._slots = slots

    def collect(self) -> Iterable[Metric]:
        pool = self._engine.sync_engine.pool
        if isinstance(pool, QueuePool):
            yield _gauge("atlas_db_pool_size", "Connections the pool keeps open.", pool.size())
            yield _gauge(
                "atlas_db_pool_connections_open",
                "Connections open now (idle and in use).",
                pool.checkedin() + pool.checkedout(),
            )
            yield _gauge(
                "atlas_db_pool_connections_in_use",
                "Connections checked out of the pool now.",
                pool.checkedout(),
            )
            yield _gauge(
                "atlas_db_pool_overflow",
                "Connections open beyond the pool size now (DB_MAX_OVERFLOW allows them).",
                max(0, pool.overflow()),
            )
        if self._slots is not None:
            yield _gauge(
                "atlas_db_slots_free",
                "Database slots free now: requests that may use the database without waiting.",
                available_slots(self._slots),
            )
            yield _gauge(
                "atlas_db_slot_waiting",
                "Requests waiting for a database slot now (they get 503 after"
                " DB_POOL_TIMEOUT_SECONDS).",
                waiting_for(self._slots),
            )


def available_slots(slots: asyncio.Semaphore) -> int:
    # asyncio keeps the count private; reading it is the only way short of wrapping every
    # acquire on the hot path.
    return max(0, slots._value)


def waiting_for(slots: asyncio.Semaphore) -> int:
    """Tasks blocked in `slots.acquire()` (a timed-out waiter's future is done)."""
    return sum(1 for waiter in slots._waiters or () if not waiter.done())


def _gauge(name: str, documentation: str, value: float) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, documentation, value=value)
