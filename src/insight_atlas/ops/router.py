"""Operational endpoints at the root: liveness, readiness, version, metrics."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel
from sqlalchemy import text
from starlette.responses import Response

from insight_atlas import __version__
from insight_atlas.db import DatabaseDep
from insight_atlas.errors import AppError, error_responses
from insight_atlas.migrate import current_revisions, schema_state
from insight_atlas.ops.build_info import git_sha
from insight_atlas.ops.metrics import REGISTRY
from insight_atlas.ops.metrics_access import check_metrics_access
from insight_atlas.ops.pool_metrics import DatabasePoolCollector
from insight_atlas.ops.ratelimit import RateLimiterDep
from insight_atlas.settings import SettingsDep
from insight_atlas.validation import CheckedRoute

router = APIRouter(tags=["operations"], route_class=CheckedRoute)

_HEALTHZ_BODY = b'{"status":"ok"}'


class NotReady(AppError):
    code = "not_ready"
    status_code = 503


class ReadyResponse(BaseModel):
    status: str
    database: str
    migrations: str
    # "at_head", or "newer": the database is at revisions this release does not ship,
    # applied by a newer release (expand/contract: this one still runs on them).
    schema_state: str
    # "ok", "not configured" (limits kept in process) or "unreachable: <error>". Redis
    # down leaves the instance ready (status "degraded"): only sign-in is refused
    # (docs/RUNBOOK.md), and taking every instance out of rotation would refuse everything.
    redis: str = "not configured"


class VersionResponse(BaseModel):
    version: str
    git_sha: str
    environment: str
    billing_mode: str


@router.get("/healthz", operation_id="healthz")
async def healthz() -> Response:
    """Liveness: the process answers. Touches no database."""
    return Response(_HEALTHZ_BODY, media_type="application/json")


@router.get(
    "/readyz",
    response_model=ReadyResponse,
    operation_id="readyz",
    responses=error_responses(NotReady),
)
async def readyz(request: Request, database: DatabaseDep, limiter: RateLimiterDep) -> ReadyResponse:
    """Readiness: the database answers and its schema is at the code's migration head (or
    ahead of it, after a rollback)."""
    expected: tuple[str, ...] = request.app.state.migration_heads
    try:
        async with asyncio.timeout(3):
            async with database.engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
                current = await connection.run_sync(current_revisions)
    except TimeoutError as exc:
        raise NotReady("database unreachable: timed out after 3 s") from exc
    except Exception as exc:  # any driver error means "not ready", with its class as reason
        raise NotReady(f"database unreachable: {type(exc).__name__}") from exc
    state = schema_state(current, expected, request.app.state.known_revisions)
    if state == "behind":
        raise NotReady(
            f"migrations not at head: database at {','.join(current) or 'none'},"
            f" code expects {','.join(expected)}; run 'atlas db upgrade'"
        )
    redis = await limiter.health()
    return ReadyResponse(
        status="degraded" if redis.startswith("unreachable") else "ok",
        database="ok",
        migrations=",".join(current),
        schema_state=state,
        redis=redis,
    )


@router.get("/version", response_model=VersionResponse, operation_id="version")
async def version(settings: SettingsDep) -> VersionResponse:
    """Version, git commit, environment and billing mode of this instance."""
    return VersionResponse(
        version=__version__,
        git_sha=git_sha(settings),
        environment=settings.atlas_env.value,
        billing_mode=settings.billing_mode,
    )


@router.get("/metrics", operation_id="metrics", include_in_schema=False)
async def metrics(request: Request, settings: SettingsDep, database: DatabaseDep) -> Response:
    """Prometheus text exposition of this instance's counters, histograms and pool gauges."""
    check_metrics_access(request, settings)
    pool = DatabasePoolCollector(database.engine, database.slots)
    body = generate_latest(REGISTRY) + generate_latest(pool)
    return Response(body, media_type=CONTENT_TYPE_LATEST)
