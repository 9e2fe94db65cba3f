"""Prometheus metrics: requests, sign-ins, reports, scoring, webhooks, Redis errors.

Every label takes its values from a closed set (route templates, instrument keys of the
shipped instruments, the outcomes named here), so no client can grow the number of
series. Gauges of the database pool are read when scraped (ops/pool_metrics.py).
"""

from __future__ import annotations

import functools
from typing import TypeVar

from prometheus_client import CollectorRegistry, Counter, Histogram

REGISTRY = CollectorRegistry(auto_describe=True)

_Metric = TypeVar("_Metric", Counter, Histogram)


@functools.cache
def labelled(metric: _Metric, *values: str) -> _Metric:
    """`metric.labels(*values)`, looked up once per set of values: prometheus_client's own
    lookup validates and locks on every call, which cost more than the count itself on
    every request. The label sets are closed (above), so this holds no more children
    than the metric itself does."""
    return metric.labels(*values)


HTTP_REQUESTS = Counter(
    "atlas_http_requests_total",
    "HTTP requests by method, route template and status.",
    ["method", "route", "status"],
    registry=REGISTRY,
)
HTTP_LATENCY = Histogram(
    "atlas_http_request_duration_seconds",
    "HTTP request latency by method and route template.",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
    registry=REGISTRY,
)
WEBHOOK_EVENTS = Counter(
    "atlas_stripe_webhook_events_total",
    "Stripe webhook deliveries by event type and outcome.",
    ["event_type", "outcome"],
    registry=REGISTRY,
)

# Outcomes of POST /v1/auth/login.
SIGN_IN_SUCCESS = "success"
SIGN_IN_BAD_CREDENTIALS = "bad_credentials"  # wrong password, unknown or deleted account
SIGN_IN_LOCKED = "locked"  # too many wrong passwords for the address
SIGN_IN_THROTTLED = "throttled"  # too many attempts from the client address
SIGN_INS = Counter(
    "atlas_sign_ins_total",
    "Sign-in attempts by outcome: success, bad_credentials, locked, throttled.",
    ["outcome"],
    registry=REGISTRY,
)
REPORTS_CREATED = Counter(
    "atlas_reports_created_total",
    "Reports stored by submitted assessments, by instrument key.",
    ["instrument"],
    registry=REGISTRY,
)
SCORING_DURATION = Histogram(
    "atlas_scoring_duration_seconds",
    "Time to score one submission (in the scoring worker or inline), by instrument key.",
    ["instrument"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5),
    registry=REGISTRY,
)
REDIS_ERRORS = Counter(
    "atlas_redis_errors_total",
    "Failed Redis commands by kind of failure: connection, timeout, response, other.",
    ["kind"],
    registry=REGISTRY,
)
