"""One error type for the whole service, rendered as the JSON error envelope."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from insight_atlas.ops.context import current_request_id


class AppError(Exception):
    """A failure the client can act on: a stable code, a message and an HTTP status."""

    code = "error"
    status_code = 400
    message = "The request could not be processed."
    # Set when the request's writes must persist although it fails (e.g. revoking a
    # token family on refresh-token reuse); the session dependency then commits.
    keeps_changes = False

    def __init__(
        self,
        message: str | None = None,
        *,
        code: str | None = None,
        status_code: int | None = None,
        details: Any = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.message = message or self.message
        self.code = code or self.code
        self.status_code = status_code or self.status_code
        self.details = details
        self.headers = headers
        super().__init__(self.message)


class NotFound(AppError):
    code = "not_found"
    status_code = 404
    message = "Not found."


class Unauthorized(AppError):
    code = "unauthorized"
    status_code = 401
    message = "Authentication required."

    def __init__(self, message: str | None = None, *, code: str | None = None) -> None:
        super().__init__(message, code=code, headers={"WWW-Authenticate": "Bearer"})


class Conflict(AppError):
    code = "conflict"
    status_code = 409


class TooManyRequests(AppError):
    code = "rate_limited"
    status_code = 429
    message = "Too many requests; try again later."

    def __init__(self, retry_after_seconds: int, message: str | None = None) -> None:
        retry_after = max(1, int(retry_after_seconds))
        super().__init__(
            message,
            headers={"Retry-After": str(retry_after)},
            details={"retry_after_seconds": retry_after},
        )


_STATUS_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "rate_limited",
    503: "service_unavailable",
}


def error_response(
    status_code: int,
    code: str,
    message: str,
    *,
    details: Any = None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    error: dict[str, Any] = {"code": code, "message": message, "request_id": current_request_id()}
    if details is not None:
        error["details"] = details
    return Response(
        orjson.dumps({"error": error}),
        status_code=status_code,
        headers=headers,
        media_type="application/json",
    )


def error_body(status_code: int, code: str, message: str) -> bytes:
    return orjson.dumps(
        {"error": {"code": code, "message": message, "request_id": current_request_id()}}
    )


async def _app_error_handler(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, AppError)
    return error_response(
        exc.status_code, exc.code, exc.message, details=exc.details, headers=exc.headers
    )


async def _http_error_handler(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    code = _STATUS_CODES.get(exc.status_code, "error")
    message = exc.detail if isinstance(exc.detail, str) else "Request failed."
    if exc.status_code == 404:
        message = "No such resource."
    elif exc.status_code == 405:
        message = "Method not allowed for this resource."
    return error_response(exc.status_code, code, message, headers=exc.headers)


def _describe_location(location: tuple[Any, ...]) -> str:
    parts = [str(part) for part in location if part not in ("body",)]
    return ".".join(parts) or "body"


async def _validation_error_handler(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors = exc.errors()
    if any(error.get("type") == "json_invalid" for error in errors):
        return error_response(400, "malformed_json", "The request body is not valid JSON.")
    fields = [
        {"field": _describe_location(tuple(error.get("loc", ()))), "message": error.get("msg")}
        for error in errors
    ]
    summary = "; ".join(f"{field['field']}: {field['message']}" for field in fields[:5])
    return error_response(
        422, "validation_error", f"Invalid request: {summary}", details={"fields": fields}
    )


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(AppError, _app_error_handler)
    app.add_exception_handler(StarletteHTTPException, _http_error_handler)
    app.add_exception_handler(RequestValidationError, _validation_error_handler)
