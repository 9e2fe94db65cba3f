"""A Redis client that counts its failed commands in `atlas_redis_errors_total`.

Counted here, at the one place every command and pipeline passes through, rather than
where callers handle the failure: whether a caller fails open or closed, the failure is
counted once, with no counting code beside each call.
"""

from __future__ import annotations

from typing import Any

from redis.asyncio import Redis
from redis.asyncio.client import Pipeline
from redis.exceptions import (
    ConnectionError as RedisConnectionError,
)
from redis.exceptions import (
    NoScriptError,
    RedisError,
    ResponseError,
)
from redis.exceptions import (
    TimeoutError as RedisTimeoutError,
)

from insight_atlas.ops.metrics import REDIS_ERRORS, labelled


def failure_kind(error: BaseException) -> str | None:
    """The `kind` label of a failed command, or None when it is not a Redis failure."""
    if isinstance(error, NoScriptError):
        return None  # the script cache was empty: the client loads the script and retries
    if isinstance(error, RedisTimeoutError | TimeoutError):
        return "timeout"
    if isinstance(error, RedisConnectionError | ConnectionError | OSError):
        return "connection"
    if isinstance(error, ResponseError):
        return "response"
    if isinstance(error, RedisError):
        return "other"
    return None


def _count(error: BaseException) -> None:
    kind = failure_kind(error)
    if kind is not None:
        labelled(REDIS_ERRORS, kind).inc()


class CountingPipeline(Pipeline):
    async def execute(self, raise_on_error: bool = True) -> list[Any]:
        try:
            return await super().execute(raise_on_error)
        except BaseException as exc:
            _count(exc)
            raise


class CountingRedis(Redis):
    async def execute_command(self, *args: Any, **options: Any) -> Any:
        try:
            return await super().execute_command(*args, **options)  # type: ignore[no-untyped-call]
        except BaseException as exc:
            _count(exc)
            raise

    def pipeline(self, transaction: bool = True, shard_hint: str | None = None) -> Pipeline:
        return CountingPipeline(
            self.connection_pool, self.response_callbacks, transaction, shard_hint
        )
