"""What a request answers while something the service depends on is down.

A lost database (restart, failover, network) or a scoring worker that died is not a bug
in the request: the client should retry, so it gets a 503 with the error envelope and a
Retry-After, never the 500 of an unexpected error. Every such error, wherever it is
raised (a handler, a dependency, the session's commit), is recognised here, in one place.

Recovery needs nothing from an operator: SQLAlchemy invalidates a connection whose error
it recognises as a disconnect, and with it every pooled connection opened before (they
died together), so the next requests open fresh ones once the database is back.
DirectConnection (db.py) does the same for the statements it runs itself.
"""

from __future__ import annotations

import asyncpg
import structlog
from fastapi import FastAPI, Request
from sqlalchemy import exc as sa_exc
from starlette.responses import Response

from insight_atlas.assessments.worker_pool import ScoringUnavailable
from insight_atlas.errors import AppError, error_response

_log = structlog.get_logger(logger_name="insight_atlas.outages")

RETRY_AFTER_SECONDS = 2


class DatabaseUnavailable(AppError):
    code = "database_unavailable"
    status_code = 503
    message = "The database is unreachable; try again shortly."

    def __init__(self) -> None:
        super().__init__(headers={"Retry-After": str(RETRY_AFTER_SECONDS)})


class ScoringWorkerUnavailable(AppError):
    code = "scoring_unavailable"
    status_code = 503
    message = "Scoring stopped while this submission was scored; nothing was saved. Submit again."

    def __init__(self) -> None:
        super().__init__(headers={"Retry-After": "1"})


# Raised by asyncpg itself, for statements run past SQLAlchemy (db.DirectConnection) or
# while connecting: the server went away, refuses connections while it starts or stops, or
# the connection is already closed. InternalClientError ("cannot switch to state 12;
# another operation (2) is in progress") is a connection whose protocol was left mid-way
# by the server's shutdown message arriving during a statement: unusable, and discarded
# (DirectConnection invalidates a connection after any error).
_ASYNCPG_CONNECTION_ERRORS: tuple[type[Exception], ...] = (
    asyncpg.PostgresConnectionError,
    asyncpg.CannotConnectNowError,
    asyncpg.AdminShutdownError,
    asyncpg.CrashShutdownError,
    asyncpg.InterfaceError,
    asyncpg.InternalClientError,
)


def is_connection_error(error: BaseException) -> bool:
    """Whether `error` says the database cannot be reached, rather than that a statement
    was wrong (a constraint, a syntax error: those stay 4xx or 500)."""
    if isinstance(error, sa_exc.DBAPIError):
        # OperationalError: the server's or the driver's trouble, not the statement's (a
        # lost connection, SQLite's "unable to open database file", a lock timeout).
        if error.connection_invalidated or isinstance(
            error, sa_exc.OperationalError | sa_exc.InterfaceError
        ):
            return True
        return isinstance(error.orig, _ASYNCPG_CONNECTION_ERRORS) or isinstance(
            error.orig.__cause__ if error.orig is not None else None,
            (*_ASYNCPG_CONNECTION_ERRORS, ConnectionError),
        )
    # Connecting fails with the socket's own error (refused, reset) before any driver
    # wraps it.
    return isinstance(error, (*_ASYNCPG_CONNECTION_ERRORS, ConnectionError))


async def _database_error_handler(request: Request, error: Exception) -> Response:
    if not is_connection_error(error):
        raise error  # an ordinary failure: the request context renders the 500
    _log.warning(
        "database_unavailable", error=type(error).__name__, path=request.url.path, exc_info=False
    )
    unavailable = DatabaseUnavailable()
    return error_response(
        unavailable.status_code, unavailable.code, unavailable.message, headers=unavailable.headers
    )


async def _scoring_error_handler(request: Request, error: Exception) -> Response:
    _log.warning("scoring_unavailable", error=str(error), path=request.url.path)
    unavailable = ScoringWorkerUnavailable()
    return error_response(
        unavailable.status_code, unavailable.code, unavailable.message, headers=unavailable.headers
    )


def install_outage_handlers(app: FastAPI) -> None:
    database_errors: tuple[type[Exception], ...] = (
        sa_exc.DBAPIError,
        *_ASYNCPG_CONNECTION_ERRORS,
        ConnectionError,
    )
    for error_class in database_errors:
        app.add_exception_handler(error_class, _database_error_handler)
    app.add_exception_handler(ScoringUnavailable, _scoring_error_handler)
