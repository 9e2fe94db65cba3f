"""Values no column, cipher or JSON encoder can take are refused at the edge with 422.

Fuzzing found lone UTF-16 surrogates (a JSON escape such as "\\ud800") and integers
beyond 64 bits answered with 500: the cipher could not encode the text, and the error
renderer could not encode what it echoed. Every string and integer field of every
endpoint is sent both kinds here, and the answer must be a 4xx with the envelope.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx
import orjson
import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute

from helpers.api import TEST_PASSWORD, assert_error, bearer, signed_in_user, unique_email
from helpers.flows import answers_for, start
from insight_atlas.errors import error_body, error_response
from insight_atlas.validation import CheckedRoute, is_uuid

LONE_SURROGATES = ("\ud800", "\udfff", "left \udc00 right")
BEYOND_64_BITS = (2**63, -(2**63) - 1, 2**64, 10**30)
BAD_VALUES: tuple[Any, ...] = (*LONE_SURROGATES, *BEYOND_64_BITS)
ASSESSMENT = "{assessment}"
REPORT = "00000000-0000-4000-8000-000000000000"


@dataclass(frozen=True)
class Field:
    """A field of an endpoint's JSON body, at `path` (keys, or KEY for "a key of the
    object at the path before it"), in a valid `body`."""

    method: str
    url: str
    body: dict[str, Any]
    path: tuple[str | int, ...]
    signed_in: bool = True

    def __str__(self) -> str:
        return f"{self.method} {self.url} {'.'.join(map(str, self.path))}"


KEY = "<key>"
RESPONSES = f"/v1/assessments/{ASSESSMENT}/responses"
SAVED = {
    "answers": {"mini-01": 3},
    "item_seconds": {"mini-01": 4.5},
    "pages": [{"item_ids": ["mini-01"], "seconds": 4.5}],
    "free_text": "A quiet week.",
}
FIELDS = (
    [
        Field("POST", "/v1/auth/register", {"email": "a@example.com", "password": TEST_PASSWORD}, p)
        for p in (("email",), ("password",), ("display_name",))
    ]
    + [
        Field("POST", "/v1/auth/login", {"email": "a@example.com", "password": TEST_PASSWORD}, p)
        for p in (("email",), ("password",))
    ]
    + [
        Field("POST", "/v1/auth/refresh", {"refresh_token": "r"}, ("refresh_token",), False),
        Field("POST", "/v1/auth/logout", {"refresh_token": "r"}, ("refresh_token",)),
        Field("POST", "/v1/auth/password/forgot", {"email": "a@example.com"}, ("email",), False),
        *(
            Field("POST", "/v1/auth/password/reset", {"token": "t", "new_password": "x" * 12}, p)
            for p in (("token",), ("new_password",))
        ),
        *(
            Field(
                "POST",
                "/v1/auth/password/change",
                {"current_password": "x", "new_password": "y"},
                p,
            )
            for p in (("current_password",), ("new_password",))
        ),
        *(
            Field("POST", "/v1/assessments", {"instrument": "mini-ipip"}, p)
            for p in (
                ("instrument",),
                ("consent_version",),
                ("sex",),
                ("age",),
                ("include_work_style",),
            )
        ),
        *(
            Field("PUT", RESPONSES, SAVED, p)
            for p in (
                ("free_text",),
                ("answers", KEY),
                ("answers", "mini-01"),
                ("item_seconds", KEY),
                ("item_seconds", "mini-01"),
                ("pages", 0, "item_ids", 0),
                ("pages", 0, "seconds"),
            )
        ),
        Field("POST", f"/v1/reports/{REPORT}/share", {"expires_in_days": 7}, ("expires_in_days",)),
        Field("DELETE", "/v1/me", {"password": TEST_PASSWORD}, ("password",)),
        Field("POST", "/v1/billing/checkout", {"plan": "pro_monthly"}, ("plan",)),
    ]
)


def poisoned(body: dict[str, Any], path: tuple[str | int, ...], bad: Any) -> dict[str, Any]:
    """`body` with the field at `path` (or the key it names) replaced by `bad`."""
    document: Any = json.loads(json.dumps(body))
    container = document
    for step in path[:-1]:
        container = container[step]
    last = path[-1]
    if last == KEY:
        # Only text can be a key; a huge integer stands in as its digits.
        container[bad if isinstance(bad, str) else str(bad)] = 1
    else:
        container[last] = bad
    return dict(document)


def json_bytes(document: Any) -> bytes:
    # The standard encoder writes a lone surrogate as the escape "\ud800", as a client
    # would; httpx's own encoder cannot encode it at all.
    return json.dumps(document).encode("ascii")


async def assessment_of(client: httpx.AsyncClient, token: str) -> str:
    started = await start(client, token)
    assert started.status_code == 201, started.text
    return str(started.json()["id"])


@pytest.mark.parametrize("field", FIELDS, ids=str)
async def test_surrogates_and_huge_integers_in_any_body_field_are_4xx(
    client: httpx.AsyncClient, field: Field
) -> None:
    _, tokens = await signed_in_user(client)
    token = tokens["access_token"]
    url = field.url.replace(ASSESSMENT, await assessment_of(client, token))
    headers = {"Content-Type": "application/json"}
    if field.signed_in:
        headers |= bearer(token)
    for bad in BAD_VALUES:
        response = await client.request(
            field.method,
            url,
            content=json_bytes(poisoned(field.body, field.path, bad)),
            headers=headers,
        )
        assert 400 <= response.status_code < 500, (bad, response.text)
        assert_error(response, response.status_code, response.json()["error"]["code"])
        if isinstance(bad, str) or field.path[-1] != KEY:
            # Refused at the edge, naming the field (a bad key names its object).
            error = assert_error(response, 422, "validation_error")
            named = ".".join(str(step) for step in field.path if step != KEY)
            assert error["details"]["fields"][0]["field"] == named, error


async def test_an_unencodable_free_text_is_never_stored(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    _, tokens = await signed_in_user(client)
    token = tokens["access_token"]
    assessment = await assessment_of(client, token)
    response = await client.put(
        RESPONSES.replace(ASSESSMENT, assessment),
        content=json_bytes({"free_text": "fine, then \ud83d broken"}),
        headers={"Content-Type": "application/json", **bearer(token)},
    )
    error = assert_error(response, 422, "validation_error")
    assert "surrogate" in error["message"]
    # A well-formed pair is one character (U+1F600), and welcome.
    saved = await client.put(
        RESPONSES.replace(ASSESSMENT, assessment),
        content=json_bytes({"free_text": "fine, then \ud83d\ude00 happy"}),
        headers={"Content-Type": "application/json", **bearer(token)},
    )
    assert saved.status_code == 200, saved.text
    assert saved.json()["free_text"] == "fine, then \U0001f600 happy"


async def test_surrogates_in_any_position_are_found(client: httpx.AsyncClient) -> None:
    for document in ("\ud800", ["\ud800"], {"\ud800": 1}, {"email": [[{"a": "\ud800"}]]}):
        response = await client.post(
            "/v1/auth/login",
            content=json_bytes(document),
            headers={"Content-Type": "application/json"},
        )
        assert_error(response, 422, "validation_error")
    # As deep as the parser goes, and deeper: never a 500 (the check is a loop).
    for depth in (500, 5000):
        deep = b'{"email": ' + b"[" * depth + b'"\\ud800"' + b"]" * depth + b"}"
        response = await client.post(
            "/v1/auth/login", content=deep, headers={"Content-Type": "application/json"}
        )
        assert response.status_code in (400, 422), response.text
        assert_error(response, response.status_code, response.json()["error"]["code"])


@pytest.mark.parametrize(
    "url",
    [
        "/v1/reports?limit={bad}",
        "/v1/reports?offset={bad}",
        "/v1/billing/sandbox/checkout?token={bad}",
        "/v1/billing/sandbox/portal?token={bad}",
        "/v1/instruments/{bad}",
        "/v1/shared/{bad}",
        "/v1/assessments/{bad}",
        "/v1/assessments/{bad}/responses",
        "/v1/assessments/{bad}/submit",
        "/v1/reports/{bad}",
        f"/v1/reports/{REPORT}/compare/{{bad}}",
    ],
)
async def test_query_and_path_parameters_never_give_500(
    client: httpx.AsyncClient, url: str
) -> None:
    _, tokens = await signed_in_user(client)
    method = "POST" if url.endswith("/submit") else "GET"
    # UTF-8 of a surrogate (invalid UTF-8), a NUL, and integers beyond 64 bits.
    for bad in ("%ED%A0%80", "%00", "x%00y", *(quote(str(n)) for n in BEYOND_64_BITS)):
        response = await client.request(
            method, url.format(bad=bad), headers=bearer(tokens["access_token"])
        )
        assert 400 <= response.status_code < 500, (bad, response.text)
        assert_error(response, response.status_code, response.json()["error"]["code"])


async def test_a_nul_in_a_query_parameter_is_422_and_in_a_path_404(
    client: httpx.AsyncClient,
) -> None:
    _, tokens = await signed_in_user(client)
    headers = bearer(tokens["access_token"])
    error = assert_error(
        await client.get("/v1/billing/sandbox/checkout?token=a%00b"), 422, "validation_error"
    )
    assert error["details"]["fields"][0]["field"] == "query.token"
    assert_error(await client.get("/v1/instruments/mini%00ipip"), 404, "not_found")
    assert_error(await client.get("/v1/reports/a%00b", headers=headers), 404, "not_found")


async def _call(app: FastAPI, path: str, query: bytes = b"") -> tuple[int, dict[str, Any]]:
    """One request straight to the ASGI app, with a path no HTTP client can send."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode("utf-8", "surrogateescape"),
        "root_path": "",
        "query_string": query,
        "headers": [(b"host", b"testserver")],
        "client": ("203.0.113.7", 40000),
        "server": ("testserver", 80),
    }
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app(scope, receive, send)
    body = b"".join(message.get("body", b"") for message in sent[1:])
    return sent[0]["status"], orjson.loads(body)


async def test_a_surrogate_in_a_decoded_path_parameter_is_422(app: FastAPI) -> None:
    # Servers decode percent-escapes leniently, but an ASGI server is free to hand a
    # path over as it likes: the rule holds for what reaches the app.
    status, body = await _call(app, "/v1/instruments/mini-\udc80ipip")
    assert status == 422, body
    assert body["error"]["details"]["fields"][0]["field"] == "path.key"


async def test_every_route_checks_its_input(app: FastAPI) -> None:
    def leaves(routes: list[Any]) -> list[Any]:
        found = []
        for route in routes:
            included = getattr(route, "original_router", None)
            found.extend(leaves(included.routes) if included is not None else [route])
        return found

    api_routes = [route for route in leaves(app.router.routes) if isinstance(route, APIRoute)]
    assert len(api_routes) > 20
    unchecked = [route.path for route in api_routes if not isinstance(route, CheckedRoute)]
    assert unchecked == []


def test_the_error_renderer_encodes_whatever_it_echoes() -> None:
    response = error_response(
        422,
        "validation_error",
        "answers.\ud800: bad",
        details={"\udfff": [2**70, -(2**80), "x\ud800y", float("nan")], "n": 5},
    )
    error = orjson.loads(response.body)["error"]
    assert error["message"] == "answers.\\ud800: bad"
    assert error["details"] == {
        "\\udfff": ["<71-bit integer>", "<81-bit integer>", "x\\ud800y", None],
        "n": 5,
    }
    assert orjson.loads(error_body("not_found", "no \ud800"))["error"]["message"] == "no \\ud800"


async def test_well_formed_text_and_64_bit_integers_pass_the_edge(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post(
        "/v1/auth/register",
        content=json_bytes(
            {"email": unique_email(), "password": TEST_PASSWORD, "display_name": "Zoë \ud83d\ude00"}
        ),
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 201, response.text
    assert response.json()["display_name"] == "Zoë \U0001f600"
    _, tokens = await signed_in_user(client)
    assessment = await assessment_of(client, tokens["access_token"])
    # The largest 64-bit integer passes the edge; the answer's own rule refuses it.
    refused = await client.put(
        RESPONSES.replace(ASSESSMENT, assessment),
        json={"answers": {"mini-01": 2**63 - 1}},
        headers=bearer(tokens["access_token"]),
    )
    error = assert_error(refused, 422, "invalid_responses")
    assert error["details"]["out_of_range"] == {"mini-01": 2**63 - 1}
    saved = await client.put(
        RESPONSES.replace(ASSESSMENT, assessment),
        json={"answers": answers_for("mini-ipip")},
        headers=bearer(tokens["access_token"]),
    )
    assert saved.status_code == 200, saved.text


@pytest.mark.parametrize(
    "value",
    [
        str(uuid.UUID(int=0)),
        "12297477-ad0a-44a6-b37f-140524cf1813",
        "12297477-AD0A-44A6-B37F-140524CF1813",
        "12297477ad0a44a6b37f140524cf1813",  # no hyphens: uuid.UUID reads it, not canonical
        "{12297477-ad0a-44a6-b37f-140524cf1813}",
        "urn:uuid:12297477-ad0a-44a6-b37f-140524cf1813",
        "12297477-ad0a-44a6-b37f-140524cf181g",
        "12297477-ad0a-44a6-b37f-140524cf18130",
        "12297477-ad0a-44a6-b37f-140524cf181\n",
        "12297477-ad0a-44a6-b37f-140524cf181١",  # an Arabic-Indic digit
        "1229747-7ad0a-44a6-b37f-140524cf1813",
        "",
    ],
)
def test_is_uuid_accepts_exactly_the_canonical_form(value: str) -> None:
    """An id from a URL can name a row only in the form our ids are written in."""
    try:
        canonical = str(uuid.UUID(value)) == value.lower()
    except ValueError:
        canonical = False
    assert is_uuid(value) is canonical
