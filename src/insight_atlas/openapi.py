"""The OpenAPI document, honest about errors: every route lists the error envelope for
each status it can answer.

Routes declare the errors of their own domain (`errors.error_responses`). What follows
from a route's shape is added here, from its dependencies: 401 behind the sign-in (the
bearer security scheme), 503 when it uses the database (all slots taken), 422 and 400
when it takes input. FastAPI's own 422 schema is replaced: our 422 is the envelope too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from fastapi import FastAPI, routing
from fastapi.dependencies.models import Dependant
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute
from fastapi.security.base import SecurityBase

from insight_atlas.db import DatabaseBusy, get_session
from insight_atlas.errors import (
    ERROR_CODES_KEY,
    ErrorEnvelope,
    ErrorSpec,
    error_responses,
)

_REF = "#/components/schemas/{model}"
_FASTAPI_422 = "#/components/schemas/HTTPValidationError"


def _calls(dependant: Dependant) -> Iterator[Any]:
    for sub in dependant.dependencies:
        yield sub.call
        yield from _calls(sub)


def _implied_errors(route: routing.RouteContext, operation: dict[str, Any]) -> list[ErrorSpec]:
    calls = list(_calls(route.dependant))
    implied: list[ErrorSpec] = []
    if any(isinstance(call, SecurityBase) for call in calls):
        implied.append((401, "invalid_token"))
    if any(call is get_session for call in calls):
        # All slots taken, or the database unreachable (outages.py).
        implied += [DatabaseBusy, (503, "database_unavailable")]
    if operation.get("parameters") or operation.get("requestBody"):
        implied.append((422, "validation_error"))
    if operation.get("requestBody"):
        implied.append((400, "malformed_json"))
    return implied


def _with_errors(responses: dict[str, Any], implied: list[ErrorSpec]) -> dict[str, Any]:
    envelope = {"application/json": {"schema": {"$ref": _REF.format(model="ErrorEnvelope")}}}
    merged = dict(responses)
    for status, spec in error_responses(*implied).items():
        key = str(status)
        held = merged.get(key)
        codes = set(spec[ERROR_CODES_KEY])
        refers_to_fastapi = (
            held is not None
            and held.get("content", {}).get("application/json", {}).get("schema", {}).get("$ref")
            == _FASTAPI_422
        )
        if held is not None and not refers_to_fastapi:
            codes |= set(held.get(ERROR_CODES_KEY, ()))
        merged[key] = {
            "description": "Error codes: " + ", ".join(f"`{c}`" for c in sorted(codes)),
            "content": envelope,
            ERROR_CODES_KEY: sorted(codes),
        }
    return dict(sorted(merged.items()))


def openapi_builder(app: FastAPI) -> Callable[[], dict[str, Any]]:
    """A replacement for `app.openapi`: FastAPI's document, with the implied errors."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        document = get_openapi(
            title=app.title,
            version=app.version,
            description=app.description,
            routes=app.routes,
        )
        # Routes as FastAPI itself walks them for the document (included routers too).
        for route in routing.iter_route_contexts(app.routes):
            if not isinstance(route.original_route, APIRoute) or not route.include_in_schema:
                continue
            for method in route.methods or ():
                operation = document["paths"].get(route.path_format, {}).get(method.lower())
                if operation is not None:
                    operation["responses"] = _with_errors(
                        operation["responses"], _implied_errors(route, operation)
                    )
        schemas = document.setdefault("components", {}).setdefault("schemas", {})
        for name, schema in (
            ErrorEnvelope.model_json_schema(ref_template=_REF).pop("$defs", {}).items()
        ):
            schemas.setdefault(name, schema)
        schemas.setdefault("ErrorEnvelope", ErrorEnvelope.model_json_schema(ref_template=_REF))
        schemas["ErrorEnvelope"].pop("$defs", None)
        if _FASTAPI_422 not in str(document["paths"]):
            schemas.pop("HTTPValidationError", None)
            schemas.pop("ValidationError", None)
        app.openapi_schema = document
        return document

    return openapi
