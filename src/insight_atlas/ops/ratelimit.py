"""Fixed-window rate limits: Redis when configured (shared by instances), else in process.

Limits are enforced by counting first and comparing after (`hit`, an atomic increment),
never by looking at the count and counting later: concurrent requests would all see the
same count and all pass.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from typing import Annotated, Protocol

from fastapi import Depends, Request
from redis.asyncio import Redis


def hashed_key(kind: str, value: str) -> str:
    """A limiter key for a personal value (an address): hashed, so limiter storage (Redis)
    never holds it in clear."""
    return f"{kind}:{hashlib.sha256(value.encode()).hexdigest()[:32]}"


@dataclass(frozen=True, slots=True)
class Window:
    count: int
    retry_after_seconds: int


class RateLimiter(Protocol):
    async def hit(self, key: str, window_seconds: int) -> Window:
        """Count one event for `key` and return the window's count so far."""
        ...

    async def peek(self, key: str) -> Window:
        """The current window's count without counting anything."""
        ...

    async def reset(self, key: str) -> None: ...

    async def close(self) -> None: ...


class MemoryRateLimiter:
    """Counters in this process: right for one instance (the embedded default) only."""

    def __init__(self, max_keys: int = 100_000) -> None:
        self._windows: dict[str, tuple[int, float]] = {}
        self._max_keys = max_keys

    async def hit(self, key: str, window_seconds: int) -> Window:
        now = time.monotonic()
        count, expires = self._windows.get(key, (0, 0.0))
        if expires <= now:
            count, expires = 0, now + window_seconds
            if len(self._windows) >= self._max_keys:
                self._evict_expired(now)
        count += 1
        self._windows[key] = (count, expires)
        return Window(count, max(1, int(expires - now + 0.999)))

    async def peek(self, key: str) -> Window:
        now = time.monotonic()
        count, expires = self._windows.get(key, (0, 0.0))
        if expires <= now:
            return Window(0, 0)
        return Window(count, max(1, int(expires - now + 0.999)))

    async def reset(self, key: str) -> None:
        self._windows.pop(key, None)

    async def close(self) -> None:
        self._windows.clear()

    def _evict_expired(self, now: float) -> None:
        for key in [k for k, (_, expires) in self._windows.items() if expires <= now]:
            del self._windows[key]
        if len(self._windows) >= self._max_keys:
            # Still full of live windows: drop the oldest half rather than grow forever.
            for key in list(self._windows)[: self._max_keys // 2]:
                del self._windows[key]


# INCR and EXPIRE in one script, so a crash between them cannot leave a key without a TTL.
_HIT_SCRIPT = """
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('TTL', KEYS[1])
if ttl < 0 then redis.call('EXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {count, ttl}
"""


class RedisRateLimiter:
    def __init__(self, url: str, prefix: str = "atlas:rl:") -> None:
        self._redis: Redis = Redis.from_url(url)
        self._prefix = prefix
        self._hit = self._redis.register_script(_HIT_SCRIPT)

    async def hit(self, key: str, window_seconds: int) -> Window:
        count, ttl = await self._hit(keys=[self._prefix + key], args=[window_seconds])
        return Window(int(count), max(1, int(ttl)))

    async def peek(self, key: str) -> Window:
        pipe = self._redis.pipeline(transaction=False)
        pipe.get(self._prefix + key)
        pipe.ttl(self._prefix + key)
        raw_count, ttl = await pipe.execute()
        if raw_count is None:
            return Window(0, 0)
        return Window(int(raw_count), max(1, int(ttl)))

    async def reset(self, key: str) -> None:
        await self._redis.delete(self._prefix + key)

    async def close(self) -> None:
        await self._redis.aclose()


def create_rate_limiter(redis_url: str) -> RateLimiter:
    return RedisRateLimiter(redis_url) if redis_url else MemoryRateLimiter()


async def app_rate_limiter(request: Request) -> RateLimiter:
    limiter: RateLimiter = request.app.state.rate_limiter
    return limiter


RateLimiterDep = Annotated[RateLimiter, Depends(app_rate_limiter)]
