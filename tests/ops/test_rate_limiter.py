from __future__ import annotations

import os
import uuid

import pytest
import redis

from insight_atlas.ops.ratelimit import MemoryRateLimiter, RateLimiter, RedisRateLimiter

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def redis_available() -> bool:
    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


LIMITERS = ["memory", "redis"] if redis_available() else ["memory"]


@pytest.fixture(params=LIMITERS)
async def limiter(request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    instance: RateLimiter = (
        MemoryRateLimiter() if request.param == "memory" else RedisRateLimiter(REDIS_URL)
    )
    yield instance
    await instance.close()


async def test_hits_count_within_a_window_and_report_retry_after(limiter: RateLimiter) -> None:
    key = f"test:{uuid.uuid4().hex}"
    assert (await limiter.peek(key)).count == 0
    first = await limiter.hit(key, 60)
    second = await limiter.hit(key, 60)
    assert (first.count, second.count) == (1, 2)
    assert 0 < second.retry_after_seconds <= 60
    assert (await limiter.peek(key)).count == 2
    await limiter.reset(key)
    assert (await limiter.peek(key)).count == 0


async def test_keys_are_independent(limiter: RateLimiter) -> None:
    a, b = f"test:{uuid.uuid4().hex}", f"test:{uuid.uuid4().hex}"
    await limiter.hit(a, 60)
    await limiter.hit(a, 60)
    assert (await limiter.hit(b, 60)).count == 1


async def test_memory_limiter_window_expires(monkeypatch: pytest.MonkeyPatch) -> None:
    import insight_atlas.ops.ratelimit as module

    now = [1000.0]
    monkeypatch.setattr(module.time, "monotonic", lambda: now[0])
    limiter = MemoryRateLimiter()
    await limiter.hit("k", 10)
    await limiter.hit("k", 10)
    now[0] += 11
    assert (await limiter.peek("k")).count == 0
    assert (await limiter.hit("k", 10)).count == 1


async def test_memory_limiter_stays_bounded() -> None:
    limiter = MemoryRateLimiter(max_keys=10)
    for index in range(50):
        await limiter.hit(f"k{index}", 60)
    assert len(limiter._windows) <= 10
