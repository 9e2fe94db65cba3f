"""One error type for the whole service, rendered as the JSON error envelope."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response
from starlette.routing import Match

from insight_atlas.request_context import current_request_id


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


class ErrorDetail(BaseModel):
    code: str = Field(description="Stable, machine-readable; listed per status below.")
    message: str = Field(description="For people: what went wrong and what to do.")
    request_id: str | None = Field(description="Also in the X-Request-ID header and the logs.")
    details: Any = Field(default=None, description="Structured context, when there is any.")


class ErrorEnvelope(BaseModel):
    """Every error response, whatever its status."""

    error: ErrorDetail


ErrorSpec = type[AppError] | tuple[int, str]
ERROR_CODES_KEY = "x-error-codes"


def error_responses(*errors: ErrorSpec) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` for the errors a route can answer: the AppError subclasses it
    may raise, or (status, code) pairs. Each status lists its codes (in `x-error-codes`
    and the description) with the envelope's schema. validation.CheckedRoute adds the
    ones every route of its kind can give (422 for input, 401 behind sign-in, 503 for
    the database)."""
    codes: dict[int, set[str]] = {}
    for error in errors:
        status, code = (error.status_code, error.code) if isinstance(error, type) else error
        codes.setdefault(status, set()).add(code)
    return {
        status: {
            "model": ErrorEnvelope,
            "description": "Error codes: " + ", ".join(f"`{c}`" for c in sorted(found)),
            ERROR_CODES_KEY: sorted(found),
        }
        for status, found in sorted(codes.items())
    }


def merge_error_responses(
    responses: dict[int | str, dict[str, Any]], *errors: ErrorSpec
) -> dict[int | str, dict[str, Any]]:
    """`responses` with `errors` added (codes of one status are united)."""
    merged = dict(responses)
    for status, added in error_responses(*errors).items():
        held = merged.get(status)
        if held is None or ERROR_CODES_KEY not in held:
            merged.setdefault(status, added)
            continue
        merged[status] = error_responses(
            *((int(status), code) for code in {*held[ERROR_CODES_KEY], *added[ERROR_CODES_KEY]})
        )[int(status)]
    return merged


class InvalidInput(StarletteHTTPException):
    """A request value refused before validation (validation.py): text that cannot be
    encoded, a number out of range. Rendered as a validation error; an HTTP exception, so
    FastAPI's body parsing re-raises it as it is."""

    def __init__(self, location: tuple[str | int, ...], message: str) -> None:
        super().__init__(422, message)
        self.location = location


_STATUS_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    408: "request_timeout",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "rate_limited",
    503: "service_unavailable",
}


_INT64 = range(-(2**63), 2**63)
# Echoed pieces of a request (a field name, a key) are cut to this many characters.
_ECHO_CHARS = 64


def _encodable(value: Any) -> Any:
    """`value` with what JSON cannot carry made printable: lone surrogates escaped,
    integers beyond 64 bits and non-JSON objects given as text."""
    if isinstance(value, str):
        return value.encode("utf-8", "backslashreplace").decode("utf-8")
    if isinstance(value, bool) or value is None or isinstance(value, float):
        return value
    if isinstance(value, int):
        return value if value in _INT64 else f"<{value.bit_length()}-bit integer>"
    if isinstance(value, Mapping):
        return {_encodable(str(key)): _encodable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_encodable(item) for item in value]
    return _encodable(str(value))


def _dumps(document: dict[str, Any]) -> bytes:
    try:
        return orjson.dumps(document)
    except orjson.JSONEncodeError:
        # An error may echo what the request sent; rendering it must not fail (a 500
        # hiding the 4xx), whatever it holds.
        return orjson.dumps(_encodable(document))


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
        _dumps({"error": error}),
        status_code=status_code,
        headers=headers,
        media_type="application/json",
    )


def error_body(code: str, message: str) -> bytes:
    return _dumps({"error": {"code": code, "message": message, "request_id": current_request_id()}})


async def _app_error_handler(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, AppError)
    return error_response(
        exc.status_code, exc.code, exc.message, details=exc.details, headers=exc.headers
    )


_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def allowed_methods(request: Request) -> list[str]:
    """Every method some route of the app serves at the request's path.

    Routing answers 405 with the methods of the first route whose path matched, but
    several routes may share a path (GET and DELETE /v1/me live in two routers): each
    method is tried against every route, as routing itself would match it.
    """
    routes = request.app.router.routes
    return [
        method
        for method in _METHODS
        if any(
            route.matches({**request.scope, "method": method})[0] is Match.FULL for route in routes
        )
    ]


async def _http_error_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    code = _STATUS_CODES.get(exc.status_code, "error")
    message = exc.detail if isinstance(exc.detail, str) else "Request failed."
    headers = exc.headers
    if exc.status_code == 404:
        message = "No such resource."
    elif exc.status_code == 405:
        message = "Method not allowed for this resource."
        allowed = allowed_methods(request)
        if allowed:  # else keep the matched route's own list
            headers = {**(headers or {}), "Allow": ", ".join(allowed)}
    return error_response(exc.status_code, code, message, headers=headers)


def _describe_location(location: tuple[Any, ...]) -> str:
    parts = [_clip(str(part)) for part in location if part not in ("body",)]
    return ".".join(parts) or "body"


def _clip(text: str) -> str:
    return text if len(text) <= _ECHO_CHARS else text[: _ECHO_CHARS - 1] + "…"


def _validation_response(errors: list[tuple[tuple[Any, ...], Any]]) -> Response:
    fields = [
        {"field": _describe_location(location), "message": message} for location, message in errors
    ]
    summary = "; ".join(f"{field['field']}: {field['message']}" for field in fields[:5])
    return error_response(
        422, "validation_error", f"Invalid request: {summary}", details={"fields": fields}
    )


SEND_JSON = "Send the request body as JSON, with the header Content-Type: application/json."


def _sent_as_json(request: Request) -> bool:
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    return media_type == "application/json" or media_type.endswith("+json")


async def _validation_error_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors = exc.errors()
    if any(error.get("type") == "json_invalid" for error in errors):
        return error_response(400, "malformed_json", "The request body is not valid JSON.")
    # A form or plain-text body reaches the model as a string: say what to send instead of
    # pydantic's "valid dictionary" wording.
    if not _sent_as_json(request) and any(
        tuple(error.get("loc", ())) == ("body",)
        and error.get("type") in ("model_attributes_type", "dict_type")
        for error in errors
    ):
        return error_response(400, "malformed_json", SEND_JSON)
    return _validation_response(
        [(tuple(error.get("loc", ())), error.get("msg")) for error in errors]
    )


async def _invalid_input_handler(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, InvalidInput)
    return _validation_response([(exc.location, exc.detail)])


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(AppError, _app_error_handler)
    app.add_exception_handler(StarletteHTTPException, _http_error_handler)
    app.add_exception_handler(RequestValidationError, _validation_error_handler)
    app.add_exception_handler(InvalidInput, _invalid_input_handler)
