"""Prometheus metrics: request counts and latency by route and status, webhook outcomes."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram

REGISTRY = CollectorRegistry(auto_describe=True)

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
