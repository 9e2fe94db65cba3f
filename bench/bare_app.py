"""Bare pure-ASGI baseline for the HTTP load benchmark.

A raw ASGI callable (no framework, no middleware, no database) that answers
``GET /healthz`` and ``GET /v1/me`` with the same bytes the real service sends.
Served by the same uvicorn with the same loop and HTTP parser, it measures the
ceiling of "uvicorn + one Python worker" on this machine, so the service's
figures can be read as a fraction of that ceiling.

The bodies and headers are captured from the real service by ``bench/load.py``
and handed over in a JSON file named by ``BARE_APP_RESPONSES``; without it,
plausible stand-ins are used so the app can be run on its own::

    .venv/bin/uvicorn --app-dir bench bare_app:app --loop uvloop --http httptools \
        --no-access-log --log-level warning --port 8099
"""

from __future__ import annotations

import json
import os
from typing import Any

# Headers uvicorn writes itself or that must be recomputed per response.
_SKIPPED_HEADERS = {"date", "server", "content-length", "connection", "transfer-encoding"}

_DEFAULT_RESPONSES: dict[str, dict[str, Any]] = {
    "/healthz": {
        "status": 200,
        "headers": [["content-type", "application/json"]],
        "body": '{"status":"ok"}',
    },
    "/v1/me": {
        "status": 200,
        "headers": [["content-type", "application/json"]],
        "body": json.dumps(
            {
                "id": "00000000-0000-0000-0000-000000000000",
                "email": "bench@example.com",
                "plan": "free",
                "status": "active",
                "entitlements": [],
            },
            separators=(",", ":"),
        ),
    },
}


def _load_responses() -> dict[str, tuple[int, list[tuple[bytes, bytes]], bytes]]:
    """Pre-encode every response once so the request path does no work."""
    spec = dict(_DEFAULT_RESPONSES)
    path = os.environ.get("BARE_APP_RESPONSES")
    if path:
        with open(path, encoding="utf-8") as fh:
            spec.update(json.load(fh))
    encoded = {}
    for route, item in spec.items():
        body = item["body"].encode()
        headers = [
            (name.lower().encode("latin-1"), value.encode("latin-1"))
            for name, value in item["headers"]
            if name.lower() not in _SKIPPED_HEADERS
        ]
        headers.append((b"content-length", str(len(body)).encode()))
        encoded[route] = (int(item["status"]), headers, body)
    return encoded


_RESPONSES = _load_responses()


def _json_response(status: int, body: bytes) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    return status, headers, body


_NOT_FOUND = _json_response(404, b'{"detail":"Not Found"}')
_UNAUTHORIZED = _json_response(401, b'{"detail":"Not authenticated"}')


def _has_bearer(scope: dict[str, Any]) -> bool:
    # The real service rejects /v1/me without a token; keep the same cheap check
    # here so a misconfigured load run shows up as non-2xx on both targets.
    for name, value in scope["headers"]:
        if name == b"authorization":
            return value[:7].lower() == b"bearer "
    return False


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    if scope["type"] != "http":
        return

    path = scope["path"]
    response = _RESPONSES.get(path) if scope["method"] == "GET" else None
    if response is None:
        response = _NOT_FOUND
    elif path == "/v1/me" and not _has_bearer(scope):
        response = _UNAUTHORIZED
    status, headers, body = response
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
