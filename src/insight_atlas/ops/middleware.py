"""Pure-ASGI middleware: request ids, access logs, metrics, security headers, body limits
(size and read time).

Pure ASGI rather than BaseHTTPMiddleware: it adds no task or memory stream per request
and keeps contextvars (the request id) visible to the endpoint and its log lines.
"""

from __future__ import annotations

import asyncio
import re
import time
import uuid
from typing import Any

from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from insight_atlas.errors import error_body
from insight_atlas.ops.error_reporting import report_exception
from insight_atlas.ops.logging import get_logger
from insight_atlas.ops.metrics import HTTP_LATENCY, HTTP_REQUESTS, labelled
from insight_atlas.ops.redaction import loggable_path
from insight_atlas.request_context import reset_request_id, set_request_id

_SANE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{8,128}$")
_log = get_logger("insight_atlas.access")


def _incoming_request_id(scope: Scope) -> str | None:
    for name, value in scope.get("headers", ()):
        if name == b"x-request-id":
            try:
                candidate = value.decode("ascii")
            except UnicodeDecodeError:
                return None
            return candidate if _SANE_REQUEST_ID.match(candidate) else None
    return None


def _route_template(scope: Scope) -> str:
    route = scope.get("route")
    path = getattr(route, "path", None)
    # Unmatched paths are grouped so scanners cannot blow up metric cardinality.
    return path if isinstance(path, str) else "<unmatched>"


class RequestContextMiddleware:
    """Gives every request an id, a JSON access line, metrics, and a safe 500."""

    def __init__(self, app: ASGIApp, *, hsts: bool = False) -> None:
        self.app = app
        headers = [
            (b"x-content-type-options", b"nosniff"),
            (b"x-frame-options", b"DENY"),
            (b"referrer-policy", b"no-referrer"),
            (b"cross-origin-opener-policy", b"same-origin"),
        ]
        if hsts:
            headers.append((b"strict-transport-security", b"max-age=63072000; includeSubDomains"))
        self.security_headers = headers

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = _incoming_request_id(scope) or uuid.uuid4().hex
        token = set_request_id(request_id)
        started = time.perf_counter()
        status_holder = [500]
        response_started = False
        request_id_header = (b"x-request-id", request_id.encode("ascii"))

        async def send_with_headers(message: Message) -> None:
            nonlocal response_started
            if message["type"] == "http.response.start":
                response_started = True
                status_holder[0] = message["status"]
                headers = list(message.get("headers", ()))
                present = {name.lower() for name, _ in headers}
                headers.append(request_id_header)
                headers.extend(h for h in self.security_headers if h[0] not in present)
                if b"content-security-policy" not in present:
                    headers.append(
                        (b"content-security-policy", b"default-src 'none'; frame-ancestors 'none'")
                    )
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception as exc:
            _log.exception("unhandled_error", method=scope["method"], path=loggable_path(scope))
            report_exception(exc)
            if not response_started:
                body = error_body("internal_error", "An internal error occurred.")
                await send_with_headers(
                    {
                        "type": "http.response.start",
                        "status": 500,
                        "headers": [
                            (b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode()),
                        ],
                    }
                )
                await send_with_headers({"type": "http.response.body", "body": body})
        finally:
            duration = time.perf_counter() - started
            route = _route_template(scope)
            status = status_holder[0]
            labelled(HTTP_REQUESTS, scope["method"], route, str(status)).inc()
            labelled(HTTP_LATENCY, scope["method"], route).observe(duration)
            _log.info(
                "request",
                method=scope["method"],
                route=route,
                path=loggable_path(scope),
                status=status,
                duration_ms=round(duration * 1000, 2),
            )
            reset_request_id(token)


class RequestTooLarge(StarletteHTTPException):
    """An HTTP exception, so FastAPI's body parsing re-raises it as it is."""

    def __init__(self, max_bytes: int) -> None:
        super().__init__(413, f"The request body exceeds the limit of {max_bytes} bytes.")


class RequestBodyTimeout(StarletteHTTPException):
    """An HTTP exception, so FastAPI's body parsing re-raises it as it is. The connection
    is closed after the answer: the rest of the body may still arrive, or never."""

    def __init__(self, seconds: float) -> None:
        super().__init__(
            408,
            f"The request body did not arrive within {seconds:g} seconds.",
            headers={"Connection": "close"},
        )


class RequestBodyLimitMiddleware:
    """Refuses request bodies over the size limit with 413, declared or streamed, and
    bodies that do not arrive in full within the read timeout with 408."""

    def __init__(self, app: ASGIApp, *, max_bytes: int, read_timeout_seconds: float) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.read_timeout_seconds = read_timeout_seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", ()):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    await _send_error(send, 400, "bad_request", "Invalid Content-Length header.")
                    return
                if declared > self.max_bytes:
                    await self._reject(send)
                    return
        received = 0
        body_complete = False
        deadline: float | None = None
        response_started = False

        async def limited_receive() -> Message:
            nonlocal received, body_complete, deadline
            if body_complete:
                # Only a disconnect is left to come: waiting for it is not reading.
                return await receive()
            if deadline is None:
                # Counted from the app's first read: the body waits in the server's
                # buffer until then, and a request queued for the database is no
                # client's fault.
                deadline = asyncio.get_running_loop().time() + self.read_timeout_seconds
            try:
                async with asyncio.timeout_at(deadline):
                    message = await receive()
            except TimeoutError:
                raise RequestBodyTimeout(self.read_timeout_seconds) from None
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise RequestTooLarge(self.max_bytes)
                body_complete = not message.get("more_body", False)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal response_started
            if message["type"] == "http.response.start":
                response_started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except RequestTooLarge:
            if not response_started:
                await self._reject(send)
        except RequestBodyTimeout as exc:
            if not response_started:
                await _send_error(send, 408, "request_timeout", exc.detail, close=True)

    async def _reject(self, send: Send) -> None:
        await _send_error(
            send,
            413,
            "payload_too_large",
            f"The request body exceeds the limit of {self.max_bytes} bytes.",
        )


async def _send_error(
    send: Send, status: int, code: str, message: str, *, close: bool = False
) -> None:
    body = error_body(code, message)
    headers: list[Any] = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
    ]
    if close:
        headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
