"""Fixed-window rate limits: Redis when configured (shared by instances), else in process.

Limits are enforced by counting first and comparing after (`hit`, an atomic increment),
never by looking at the count and counting later: concurrent requests would all see the
same count and all pass.

When Redis cannot be reached, a limit either fails open (the request is not counted and
goes through: registration, password-reset mail, assessment starts and submissions) or
fails closed (`fail_closed=True`, the request is refused with 503: sign-in and every other
password check, where an unlimited run of guesses is the risk; docs/SECURITY.md). Short
socket timeouts and a pause after a failure keep a dead Redis from stalling requests.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from typing import Annotated, Protocol

import structlog
from fastapi import Depends, Request
from redis.asyncio import Redis
from redis.backoff import NoBackoff
from redis.exceptions import RedisError
from redis.retry import Retry

from insight_atlas.errors import AppError
from insight_atlas.ops.redis_client import CountingRedis

_log = structlog.get_logger(logger_name="insight_atlas.ops.ratelimit")

# Redis answers in well under a millisecond on a working network, but the reply is read
# by this process's event loop, which under a burst of requests may take a few hundred
# milliseconds to get to it (a quarter of a second refused sign-ins in a burst of 30). A
# second without an answer means Redis is gone; a refused connection fails at once anyway.
REDIS_TIMEOUT_SECONDS = 1.0
# After a failure Redis is not tried again for this long: with a Redis that drops packets
# instead of refusing, every request would otherwise spend the timeout finding out.
REDIS_PAUSE_SECONDS = 1.0


class LimiterUnavailable(AppError):
    """A limit that fails closed could not be checked: Redis is unreachable."""

    code = "rate_limiter_unavailable"
    status_code = 503
    message = "Sign-in is paused while the rate limiter is unreachable; try again shortly."

    def __init__(self) -> None:
        super().__init__(headers={"Retry-After": "5"})


def hashed_key(kind: str, value: str) -> str:
    """A limiter key for a personal value (an address): hashed, so limiter storage (Redis)
    never holds it in clear."""
    return f"{kind}:{hashlib.sha256(value.encode()).hexdigest()[:32]}"


@dataclass(frozen=True, slots=True)
class Window:
    count: int
    retry_after_seconds: int


class RateLimiter(Protocol):
    async def hit(self, key: str, window_seconds: int, *, fail_closed: bool = False) -> Window:
        """Count one event for `key` and return the window's count so far.

        If the count cannot be kept (Redis down): LimiterUnavailable when `fail_closed`,
        else a count of 0, so the request goes through.
        """
        ...

    async def peek(self, key: str) -> Window:
        """The current window's count without counting anything."""
        ...

    async def reset(self, key: str) -> None: ...

    async def close(self) -> None: ...

    async def health(self) -> str:
        """For /readyz: "ok", "not configured" (in process), or why Redis is unreachable."""
        ...


class MemoryRateLimiter:
    """Counters in this process: right for one instance (the embedded default) only."""

    def __init__(self, max_keys: int = 100_000) -> None:
        self._windows: dict[str, tuple[int, float]] = {}
        self._max_keys = max_keys

    async def hit(self, key: str, window_seconds: int, *, fail_closed: bool = False) -> Window:
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

    async def health(self) -> str:
        return "not configured"

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
        # CountingRedis counts failed commands for /metrics (ops/redis_client.py).
        self._redis: Redis = CountingRedis.from_url(
            url,
            socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
            socket_timeout=REDIS_TIMEOUT_SECONDS,
            # One immediate retry: a pooled connection that died with a Redis restart is
            # replaced by a fresh one instead of failing the request.
            retry=Retry(NoBackoff(), 1),
        )
        self._prefix = prefix
        self._hit = self._redis.register_script(_HIT_SCRIPT)
        self._paused_until = 0.0
        self._last_error = ""

    async def hit(self, key: str, window_seconds: int, *, fail_closed: bool = False) -> Window:
        try:
            self._check_paused()
            count, ttl = await self._hit(keys=[self._prefix + key], args=[window_seconds])
        except (RedisError, OSError) as exc:
            self._failed(exc)
            if fail_closed:
                raise LimiterUnavailable() from exc
            return Window(0, window_seconds)
        return Window(int(count), max(1, int(ttl)))

    async def peek(self, key: str) -> Window:
        try:
            self._check_paused()
            pipe = self._redis.pipeline(transaction=False)
            pipe.get(self._prefix + key)
            pipe.ttl(self._prefix + key)
            raw_count, ttl = await pipe.execute()
        except (RedisError, OSError) as exc:
            self._failed(exc)
            return Window(0, 0)
        if raw_count is None:
            return Window(0, 0)
        return Window(int(raw_count), max(1, int(ttl)))

    async def reset(self, key: str) -> None:
        try:
            self._check_paused()
            await self._redis.delete(self._prefix + key)
        except (RedisError, OSError) as exc:
            # The counter then runs out with its window; nothing a request could do.
            self._failed(exc)

    async def close(self) -> None:
        await self._redis.aclose()

    async def health(self) -> str:
        try:
            await self._redis.ping()
        except (RedisError, OSError) as exc:
            self._failed(exc)
            return f"unreachable: {self._last_error}"
        self._paused_until = 0.0
        return "ok"

    def _check_paused(self) -> None:
        if time.monotonic() < self._paused_until:
            raise RedisUnreachable(self._last_error)

    def _failed(self, exc: BaseException) -> None:
        if isinstance(exc, RedisUnreachable):
            return  # paused already; the next real try comes when the pause ends
        self._last_error = type(exc).__name__
        _log.warning("redis_unavailable", error=self._last_error)
        self._paused_until = time.monotonic() + REDIS_PAUSE_SECONDS


class RedisUnreachable(RedisError):
    """Redis failed within the last REDIS_PAUSE_SECONDS: not tried again yet."""


def create_rate_limiter(redis_url: str) -> RateLimiter:
    return RedisRateLimiter(redis_url) if redis_url else MemoryRateLimiter()


async def app_rate_limiter(request: Request) -> RateLimiter:
    limiter: RateLimiter = request.app.state.rate_limiter
    return limiter


RateLimiterDep = Annotated[RateLimiter, Depends(app_rate_limiter)]
