"""/openapi.json tells the truth: the sign-in is a security scheme, and every route lists
the error envelope for each status it can answer, with the codes."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from helpers.api import assert_error

ENVELOPE = {"$ref": "#/components/schemas/ErrorEnvelope"}


@pytest.fixture
async def document(client: httpx.AsyncClient) -> dict[str, Any]:
    response = await client.get("/openapi.json")
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


def _codes(operation: dict[str, Any], status: int) -> list[str]:
    response = operation["responses"][str(status)]
    assert response["content"]["application/json"]["schema"] == ENVELOPE
    codes: list[str] = response["x-error-codes"]
    return codes


def test_the_bearer_token_is_a_security_scheme_on_signed_in_routes_only(
    document: dict[str, Any],
) -> None:
    scheme = document["components"]["securitySchemes"]["accessToken"]
    assert scheme["type"] == "http" and scheme["scheme"] == "bearer"
    paths = document["paths"]
    for path, method in [
        ("/v1/me", "get"),
        ("/v1/assessments/{assessment_id}/submit", "post"),
        ("/v1/reports/{report_id}", "delete"),
        ("/v1/me/export", "get"),
    ]:
        operation = paths[path][method]
        assert operation["security"] == [{"accessToken": []}], path
        assert _codes(operation, 401) == ["invalid_token"], path
    for path, method in [
        ("/healthz", "get"),
        ("/v1/auth/login", "post"),
        ("/v1/shared/{token}", "get"),
        ("/v1/stripe/webhook", "post"),
    ]:
        assert "security" not in paths[path][method], path


def test_routes_list_the_errors_they_raise(document: dict[str, Any]) -> None:
    submit = document["paths"]["/v1/assessments/{assessment_id}/submit"]["post"]
    assert _codes(submit, 404) == ["not_found"]
    assert _codes(submit, 409) == ["already_submitted"]
    assert _codes(submit, 422) == ["incomplete_assessment", "invalid_responses", "validation_error"]
    assert _codes(submit, 429) == ["rate_limited"]
    assert _codes(submit, 503) == [
        "database_busy",
        "database_unavailable",
        "scoring_unavailable",
    ]
    start = document["paths"]["/v1/assessments"]["post"]
    assert _codes(start, 402) == ["upgrade_required"]
    assert _codes(start, 400) == ["consent_required", "malformed_json"]
    login = document["paths"]["/v1/auth/login"]["post"]
    assert _codes(login, 401) == ["invalid_credentials"]


def test_every_error_response_is_the_envelope(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    assert "HTTPValidationError" not in schemas
    assert set(schemas["ErrorEnvelope"]["properties"]) == {"error"}
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for status, response in operation["responses"].items():
                if status.startswith(("4", "5")):
                    schema = response["content"]["application/json"]["schema"]
                    assert schema == ENVELOPE, (method, path, status)
                    assert response["x-error-codes"], (method, path, status)


async def test_a_declared_code_is_what_the_route_answers(
    client: httpx.AsyncClient, document: dict[str, Any]
) -> None:
    # The document and the behaviour agree: an unknown instrument is the declared 404.
    operation = document["paths"]["/v1/instruments/{key}"]["get"]
    assert _codes(operation, 404) == ["unknown_instrument"]
    assert_error(await client.get("/v1/instruments/no-such"), 404, "unknown_instrument")
    assert_error(await client.get("/v1/me"), 401, "invalid_token")
