"""Input rules shared by every request: its JSON body, path and query parameters.

Every route is a `CheckedRoute`. Before a request's values reach validation, a handler,
the database, the cipher or an error message, one pass over them refuses (422) what
none of those can take:

- text with a NUL character (PostgreSQL text cannot store it) or a lone UTF-16
  surrogate (a JSON escape such as "\\ud800": no UTF-8 encoder, hence no cipher, column
  or JSON response, can encode it);
- integers beyond 64 bits (no column holds them, and JSON encoders refuse them);
- numbers that are not finite (the standard JSON parser reads `NaN`, `Infinity` and
  `1e999`, which are not JSON numbers).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute
from pydantic import BaseModel, ConfigDict
from starlette.exceptions import HTTPException as StarletteHTTPException

from insight_atlas.errors import InvalidInput

Location = tuple[str | int, ...]

_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1
_SURROGATE = re.compile("[\ud800-\udfff]")
NUL_PROBLEM = "must not contain NUL characters"
SURROGATE_PROBLEM = "must be valid Unicode (a lone surrogate, U+D800 to U+DFFF, cannot be encoded)"
INTEGER_PROBLEM = "integers must fit in 64 bits (-9223372036854775808 to 9223372036854775807)"
NUMBER_PROBLEM = "numbers must be finite (NaN and Infinity are not numbers)"


def text_problem(text: str) -> str | None:
    """Why `text` cannot be stored or encoded, or None."""
    if "\x00" in text:
        return NUL_PROBLEM
    if not text.isascii() and _SURROGATE.search(text):
        return SURROGATE_PROBLEM
    return None


def _value_problem(value: Any) -> str | None:
    kind = type(value)
    if kind is str:
        problem = text_problem(value)
        return f"text {problem}" if problem else None
    if kind is int:
        return None if _INT64_MIN <= value <= _INT64_MAX else INTEGER_PROBLEM
    if kind is float:
        return None if math.isfinite(value) else NUMBER_PROBLEM
    return None


def _acceptable(document: Any) -> bool:
    """Whether every key and value of a parsed JSON document can be taken: the common
    case, checked without tracking where each value sits. A loop, not recursion: the
    parser accepts nesting deeper than Python's recursion limit."""
    pending = [document]
    while pending:
        value = pending.pop()
        kind = type(value)
        if kind is dict:
            keys = "".join(value)  # one check for every key (JSON keys are text)
            if "\x00" in keys or (not keys.isascii() and _SURROGATE.search(keys)):
                return False
            pending.extend(value.values())
        elif kind is list:
            pending.extend(value)
        elif kind is str:
            if "\x00" in value or (not value.isascii() and _SURROGATE.search(value)):
                return False
        elif kind is int:
            if not _INT64_MIN <= value <= _INT64_MAX:
                return False
        elif kind is float and not math.isfinite(value):
            return False
    return True


def unacceptable_value(document: Any, location: Location = ()) -> tuple[Location, str] | None:
    """Where the first value the service cannot take sits in a parsed JSON document, and
    why; None when there is none."""
    if _acceptable(document):
        return None
    pending: list[tuple[Location, Any]] = [(location, document)]
    while pending:
        where, value = pending.pop()
        kind = type(value)
        if kind is dict:
            for key in value:
                problem = text_problem(key)
                if problem:
                    # The key cannot be echoed: name the object that holds it.
                    return where, f"keys {problem}"
            pending.extend(((*where, key), child) for key, child in reversed(value.items()))
        elif kind is list:
            pending.extend(((*where, index), value[index]) for index in reversed(range(len(value))))
        else:
            problem = _value_problem(value)
            if problem:
                return where, problem
    return None


def refuse_unacceptable(document: Any, location: Location) -> None:
    found = unacceptable_value(document, location)
    if found is not None:
        raise InvalidInput(*found)


class CheckedRequest(Request):
    """A request whose JSON body, once parsed, is checked as the module docstring says."""

    async def json(self) -> Any:
        document = await super().json()
        refuse_unacceptable(document, ("body",))
        return document


class CheckedRoute(APIRoute):
    """A route that checks path and query parameters before anything else runs, and hands
    on a `CheckedRequest` so the JSON body is checked as FastAPI parses it (once). A path
    parameter with a NUL is answered 404, as an unknown id is."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()
        # Routes without a body never parse one: they keep the request as it is (the
        # hot submit and /v1/me routes among them).
        reads_body = self.body_field is not None

        async def checked_handle(request: Request) -> Response:
            if reads_body:
                request = CheckedRequest(request.scope, request.receive)
            for name, value in request.path_params.items():
                problem = text_problem(value) if isinstance(value, str) else None
                if problem == NUL_PROBLEM:
                    # Nothing is named with a NUL: the answer any unknown id gets.
                    raise StarletteHTTPException(404)
                if problem:
                    raise InvalidInput(("path", name), f"text {problem}")
            if request.scope.get("query_string"):
                for name, value in request.query_params.multi_items():
                    refuse_unacceptable(name, ("query",))
                    refuse_unacceptable(value, ("query", name))
            return await handle(request)

        return checked_handle


class RequestModel(BaseModel):
    """Request bodies: unknown fields are errors (what no column, cipher or encoder can
    take never gets this far: see CheckedRoute)."""

    model_config = ConfigDict(extra="forbid")


_CANONICAL_UUID = re.compile(
    "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE | re.ASCII
)


def is_uuid(value: str) -> bool:
    """Whether an id from a URL can name a stored row (our ids are canonical UUIDs, as
    `str(uuid.UUID(...))` writes them; the hex digits in either case)."""
    return _CANONICAL_UUID.fullmatch(value) is not None
