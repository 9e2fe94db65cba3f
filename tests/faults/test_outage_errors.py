"""Which errors count as "the database is unreachable" (503), and which stay a 500."""

from __future__ import annotations

import asyncpg
import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import exc as sa_exc

from helpers.api import assert_error
from insight_atlas.outages import is_connection_error


def wrapped(error_class: type[sa_exc.DBAPIError], orig: Exception, **kw: bool) -> Exception:
    return error_class("SELECT 1", None, orig, **kw)


@pytest.mark.parametrize(
    "error",
    [
        wrapped(sa_exc.DBAPIError, Exception("closed"), connection_invalidated=True),
        wrapped(sa_exc.OperationalError, Exception("unable to open database file")),
        wrapped(sa_exc.InterfaceError, Exception("connection is closed")),
        wrapped(sa_exc.DBAPIError, asyncpg.ConnectionDoesNotExistError("gone")),
        asyncpg.CannotConnectNowError("the database system is starting up"),
        asyncpg.AdminShutdownError("terminating connection due to administrator command"),
        asyncpg.InternalClientError(
            "cannot switch to state 12; another operation (2) is in progress"
        ),
        ConnectionRefusedError(111, "Connection refused"),
    ],
    ids=lambda error: type(error).__name__,
)
def test_connection_errors_are_recognised(error: Exception) -> None:
    assert is_connection_error(error)


@pytest.mark.parametrize(
    "error",
    [
        wrapped(sa_exc.IntegrityError, Exception("duplicate key value")),
        wrapped(sa_exc.ProgrammingError, Exception("syntax error")),
        wrapped(sa_exc.DBAPIError, Exception("division by zero")),
        FileNotFoundError(2, "No such file"),
    ],
    ids=lambda error: type(error).__name__,
)
def test_statement_errors_are_not_outages(error: Exception) -> None:
    assert not is_connection_error(error)


@pytest.mark.parametrize(
    ("error", "status", "code"),
    [
        (wrapped(sa_exc.OperationalError, Exception("server closed")), 503, "database_unavailable"),
        (wrapped(sa_exc.IntegrityError, Exception("duplicate key")), 500, "internal_error"),
    ],
)
async def test_the_app_answers_an_outage_503_and_a_bug_500(
    app: FastAPI, error: Exception, status: int, code: str
) -> None:
    async def fail() -> None:
        raise error

    app.add_api_route("/test-only/fail", fail)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        response = await http.get("/test-only/fail")
    assert_error(response, status, code)
    if status == 503:
        assert response.headers["retry-after"] == "2"
