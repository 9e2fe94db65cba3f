"""create_app(): wiring only."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from starlette.middleware.cors import CORSMiddleware

from insight_atlas import __version__
from insight_atlas.accounts.passwords import PasswordService
from insight_atlas.accounts.router import router as accounts_router
from insight_atlas.assessments.router import router as assessments_router
from insight_atlas.assessments.worker_pool import ReportScorer
from insight_atlas.billing.router import router as billing_router
from insight_atlas.billing.sandbox import router as billing_sandbox_router
from insight_atlas.crypto import create_field_cipher
from insight_atlas.db import create_database
from insight_atlas.errors import install_error_handlers
from insight_atlas.mail import create_mailer
from insight_atlas.migrate import head_revisions, known_revisions
from insight_atlas.openapi import openapi_builder
from insight_atlas.ops.api_docs import router as api_docs_router
from insight_atlas.ops.client_address import ClientAddressRule
from insight_atlas.ops.error_reporting import close_error_reporting, init_error_reporting
from insight_atlas.ops.logging import configure_logging
from insight_atlas.ops.middleware import RequestBodyLimitMiddleware, RequestContextMiddleware
from insight_atlas.ops.quotas import HourlyQuotas
from insight_atlas.ops.ratelimit import create_rate_limiter
from insight_atlas.ops.router import router as ops_router
from insight_atlas.outages import install_outage_handlers
from insight_atlas.privacy.router import router as privacy_router
from insight_atlas.profile.router import router as profile_router
from insight_atlas.reports.router import router as reports_router
from insight_atlas.settings import Settings, get_settings
from insight_atlas.website import WebsiteFallback, website_for


def tune_gc_for_serving() -> None:
    """Garbage-collector settings for a server process (not for one app among many, as in
    the tests: they change the whole process)."""
    # Everything built at start-up lives as long as the process: keep it out of the
    # collector's full passes, which otherwise rescan it and pause every request.
    gc.collect()
    gc.freeze()
    # A request allocates thousands of short-lived containers; collecting the young
    # generation every 10,000 allocations instead of 700 lets most die by reference
    # count first (−2% instructions per request, docs/PERFORMANCE.md).
    gc.set_threshold(10_000, 10, 10)


def create_served_app() -> FastAPI:
    """The app as `atlas serve` runs it: settings from the environment, GC tuned."""
    return create_app(tune_gc=True)


def create_app(settings: Settings | None = None, *, tune_gc: bool = False) -> FastAPI:
    settings = settings or get_settings()
    configure_logging(settings.log_level)
    error_reporting = init_error_reporting(settings)
    database = create_database(settings)
    cipher = create_field_cipher(settings)
    scorer = ReportScorer(settings.engine_processes, cipher)
    rate_limiter = create_rate_limiter(settings.redis_url)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        await scorer.start()
        if tune_gc:
            tune_gc_for_serving()
        yield
        await scorer.close()
        await rate_limiter.close()
        await database.engine.dispose()
        if error_reporting:
            close_error_reporting()

    app = FastAPI(
        # Metrics are Prometheus (ops/metrics.py) and errors go to Sentry; no OpenTelemetry
        # provider is set up, so FastAPI's own telemetry is off rather than looking for
        # one on every request.
        telemetry={"tracing": False, "metrics": False, "logs": False},
        title="Insight Atlas API",
        version=__version__,
        description="Consent-first self-understanding: questionnaires, explainable reports.",
        lifespan=lifespan,
        # Served by ops.api_docs from this package, not from a CDN.
        docs_url=None,
        redoc_url=None,
        # No redirect from /v1/me/ to /v1/me: the redirect's Location would be built
        # from the request's Host header, which a client can spoof. A 404 instead.
        redirect_slashes=False,
    )
    # The app's state, set here and nowhere else; each part has its own typed dependency
    # (SettingsDep, DatabaseDep, CipherDep, PasswordsDep, MailerDep, RateLimiterDep,
    # QuotasDep, ScorerDep, client_address), so a function is given only what it uses.
    app.state.settings = settings
    app.state.database = database
    app.state.cipher = cipher
    app.state.passwords = PasswordService(settings)
    app.state.mailer = create_mailer(settings)
    app.state.rate_limiter = rate_limiter
    app.state.quotas = HourlyQuotas.from_settings(settings, rate_limiter)
    app.state.scorer = scorer
    app.state.client_addresses = ClientAddressRule.from_settings(settings)
    app.state.migration_heads = head_revisions()
    app.state.known_revisions = known_revisions()

    install_error_handlers(app)
    app.openapi = openapi_builder(app)  # type: ignore[method-assign]
    install_outage_handlers(app)
    app.include_router(ops_router)
    # Stripe retries slow webhooks: matched early, before the larger routers.
    app.include_router(billing_router)
    # Routes are tried in order. The busiest come first and the sandbox's checkout pages,
    # used only without Stripe, last. Two routers may serve one path with different
    # methods (GET /v1/me, DELETE /v1/me): a 405 lists them all (errors.allowed_methods).
    app.include_router(assessments_router)
    app.include_router(profile_router)
    app.include_router(accounts_router)
    app.include_router(reports_router)
    app.include_router(privacy_router)
    app.include_router(billing_sandbox_router)
    app.include_router(api_docs_router)
    # FastAPI puts its schema route first; API requests should not pass it on every
    # request (a stable sort keeps the order of everything else).
    app.router.routes.sort(key=lambda route: getattr(route, "path", None) == app.openapi_url)
    website = website_for(settings.web_dist_dir)
    if website is not None:
        # Tried only when no API route matched, so the API's paths and speed are untouched.
        app.router.default = WebsiteFallback(website, app.router.default)

    # Added innermost first: the request context wraps everything, CORS included.
    app.add_middleware(
        RequestBodyLimitMiddleware,
        max_bytes=settings.max_request_bytes,
        read_timeout_seconds=settings.http_body_timeout_seconds,
    )
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.cors_origins,
        # The web app on another origin (CORS_ORIGINS) sends the sign-in cookie.
        allow_credentials=True,
        allow_methods=["GET", "POST", "PUT", "DELETE", "OPTIONS"],
        allow_headers=["Authorization", "Content-Type", "X-Request-ID"],
        expose_headers=["X-Request-ID", "Retry-After"],
        max_age=600,
    )
    app.add_middleware(RequestContextMiddleware, hsts=settings.is_production)
    return app
