"""Optional error reports to Sentry (SENTRY_DSN), with personal data stripped first.

What a report may carry is an allow-list, not a block-list: the exception's type, its
message with addresses, tokens and SQL parameters removed, the stack (file, function,
line and source code, never local variables), the route template, the request method,
the URL without its query, the request id, environment and release. Never request bodies
(answers, free text, passwords), cookies (the refresh token), headers other than a few
harmless ones (Authorization), query strings (sandbox and reset tokens), users' e-mail
addresses or IP addresses, or the messages of log lines. docs/SECURITY.md lists it.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Mapping
from typing import Any, cast
from urllib.parse import urlsplit, urlunsplit

import sentry_sdk
from sentry_sdk.integrations.logging import LoggingIntegration
from sentry_sdk.types import Breadcrumb, BreadcrumbHint, Event, Hint

from insight_atlas.ops.build_info import git_sha
from insight_atlas.ops.redaction import redact_secrets
from insight_atlas.ops.scrubbing import scrub_text
from insight_atlas.request_context import current_request_id
from insight_atlas.settings import Settings

# Top-level event keys that carry no personal data by construction; everything else
# (user, extra, request bodies an integration may add in future versions) is dropped.
_EVENT_KEYS = frozenset(
    {
        "event_id",
        "timestamp",
        "start_timestamp",
        "level",
        "platform",
        "logger",
        "transaction",
        "transaction_info",
        "server_name",
        "release",
        "environment",
        "dist",
        "tags",
        "fingerprint",
        "exception",
        "threads",
        "logentry",
        "message",
        "breadcrumbs",
        "request",
        "contexts",
        "sdk",
        "modules",
        "type",
    }
)
# Contexts describing the process, not the person or the request's content.
_CONTEXT_KEYS = frozenset({"runtime", "os", "trace", "device"})
_REQUEST_HEADERS = frozenset({"content-type", "content-length", "accept", "x-request-id"})
_BREADCRUMB_KEYS = frozenset({"type", "category", "level", "timestamp"})


def _scrub_url(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, redact_secrets(parts.path), "", ""))


def _scrub_request(request: Mapping[str, Any]) -> dict[str, Any]:
    kept: dict[str, Any] = {}
    if isinstance(request.get("method"), str):
        kept["method"] = request["method"]
    if isinstance(request.get("url"), str):
        kept["url"] = _scrub_url(request["url"])
    headers = request.get("headers")
    if isinstance(headers, Mapping):
        kept["headers"] = {
            name: str(value)[:200]
            for name, value in headers.items()
            if str(name).lower() in _REQUEST_HEADERS
        }
    return kept


def _scrub_stacktrace(stacktrace: Any) -> None:
    if not isinstance(stacktrace, dict):
        return
    for frame in stacktrace.get("frames") or ():
        if isinstance(frame, dict):
            frame.pop("vars", None)  # include_local_variables=False; dropped again here


def _scrub_exceptions(container: Any) -> None:
    if not isinstance(container, dict):
        return
    for value in container.get("values") or ():
        if not isinstance(value, dict):
            continue
        if isinstance(value.get("value"), str):
            value["value"] = scrub_text(value["value"])
        _scrub_stacktrace(value.get("stacktrace"))


def scrub_breadcrumb(crumb: Breadcrumb, _hint: BreadcrumbHint | None = None) -> Breadcrumb | None:
    """Breadcrumbs keep what happened (kind, level, time), never messages or data: a log
    message, a URL with its query or a query's parameters may quote personal data."""
    if crumb.get("type") == "log" or crumb.get("category") == "log":
        return None
    return cast(Breadcrumb, {k: v for k, v in crumb.items() if k in _BREADCRUMB_KEYS})


def scrub_event(original: Event, _hint: Hint | None = None) -> Event:
    """Sentry's `before_send`: the report reduced to what docs/SECURITY.md allows."""
    event: dict[str, Any] = {k: v for k, v in original.items() if k in _EVENT_KEYS}
    if isinstance(event.get("request"), Mapping):
        event["request"] = _scrub_request(event["request"])
    _scrub_exceptions(event.get("exception"))
    _scrub_exceptions(event.get("threads"))
    if isinstance(event.get("message"), str):
        event["message"] = scrub_text(event["message"])
    logentry = event.get("logentry")
    if isinstance(logentry, dict):
        event["logentry"] = {
            key: scrub_text(logentry[key])
            for key in ("message", "formatted")
            if isinstance(logentry.get(key), str)
        }
    if isinstance(event.get("transaction"), str):
        event["transaction"] = redact_secrets(event["transaction"])
    breadcrumbs = event.get("breadcrumbs")
    if isinstance(breadcrumbs, dict):
        values = [scrub_breadcrumb(crumb) for crumb in breadcrumbs.get("values") or ()]
        event["breadcrumbs"] = {"values": [crumb for crumb in values if crumb is not None]}
    contexts = event.get("contexts")
    if isinstance(contexts, Mapping):
        event["contexts"] = {k: v for k, v in contexts.items() if k in _CONTEXT_KEYS}
    tags = dict(event.get("tags") or {})
    request_id = current_request_id()
    if request_id is not None:
        # The same id as the response's X-Request-ID and every log line of the request.
        tags["request_id"] = request_id
    event["tags"] = tags
    return cast(Event, event)


def init_error_reporting(settings: Settings) -> bool:
    """Start the Sentry client when SENTRY_DSN is set; whether it was started."""
    if not settings.sentry_dsn:
        return False
    with warnings.catch_warnings():
        # send_default_pii=False is deprecated in favour of data_collection, which takes
        # precedence; both are given so that no SDK release in between collects more.
        warnings.simplefilter("ignore", DeprecationWarning)
        sentry_sdk.init(
            dsn=settings.sentry_dsn,
            environment=settings.atlas_env.value,
            release=git_sha(settings),
            send_default_pii=False,
            data_collection={
                "user_info": False,
                "cookies": {"mode": "off"},
                "http_headers": {
                    "request": {"mode": "allowlist", "terms": sorted(_REQUEST_HEADERS)}
                },
                "http_bodies": [],
                "url_query_params": {"mode": "off"},
                "database_query_data": False,
                "queues": False,
                "stack_frame_variables": False,
                "gen_ai": {"inputs": False, "outputs": False},
            },
            include_local_variables=False,
            max_request_body_size="never",
            before_send=scrub_event,
            before_breadcrumb=scrub_breadcrumb,
            # Errors only: no performance traces, and no trace headers added to the calls
            # this service makes (Stripe, SMTP relays, the language-model API).
            traces_sample_rate=None,
            trace_propagation_targets=[],
            # Library errors logged through the standard library become reports (their
            # messages scrubbed); log lines never become breadcrumbs.
            integrations=[LoggingIntegration(level=None, event_level=logging.ERROR)],
        )
    return True


def report_exception(error: BaseException) -> None:
    """Send an exception the service answered with a 500 (no-op without SENTRY_DSN)."""
    if sentry_sdk.get_client().is_active():
        sentry_sdk.capture_exception(error)


def close_error_reporting(timeout_seconds: float = 2.0) -> None:
    """Send what is queued and stop the client (at shutdown; in tests, between apps)."""
    client = sentry_sdk.get_client()
    if client.is_active():
        client.close(timeout=timeout_seconds)
    sentry_sdk.get_global_scope().set_client(None)
