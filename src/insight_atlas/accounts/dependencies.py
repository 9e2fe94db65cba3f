"""Authentication: who is calling, checked against the database on every request."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Depends, Request
from fastapi.security import HTTPBearer
from sqlalchemy.ext.asyncio import AsyncSession

from insight_atlas.accounts import errors, tokens
from insight_atlas.accounts.models import User
from insight_atlas.accounts.repository import PRINCIPAL, adopt
from insight_atlas.db import HotStatement, RowByName, SessionDep, utcnow
from insight_atlas.settings import Settings, app_settings

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_MICROSECOND = dt.timedelta(microseconds=1)


def account_key(user_id: int, created_at: dt.datetime) -> str:
    """The account, not only its id: `<id>.<creation instant in microseconds>`.

    For what must die with the account, such as limiter counters, which outlive it: ids
    are never reused, and were one ever, the next account's creation instant would differ.
    """
    return f"{user_id}.{(created_at - _EPOCH) // _MICROSECOND}"


class Principal:
    """Who is calling. The ids are known at once; the `User`, an object of the request's
    session, is built from the sign-in check's row on first use: most requests only need
    the user id."""

    __slots__ = ("_row", "_session", "_user", "created_at", "session_id", "user_id")

    def __init__(self, session: AsyncSession, claims: tokens.AccessClaims, row: RowByName) -> None:
        self.user_id, self.session_id = claims.user_id, claims.session_id
        self.created_at: dt.datetime = row["user__created_at"]
        self._session, self._row = session, row
        self._user: User | None = None

    @property
    def account(self) -> str:
        """See `account_key`."""
        return account_key(self.user_id, self.created_at)

    @property
    def user(self) -> User:
        if self._user is None:
            self._user = adopt(self._session, User, self._row, "user")
        return self._user


_Principal = TypeVar("_Principal", bound=Principal)


def bearer_token(request: Request) -> str | None:
    """The bearer token of a request, for routes that accept one without requiring it."""
    header = request.headers.get("authorization")
    if not header:
        return None
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


def access_claims(settings: Settings, token: str | None) -> tokens.AccessClaims:
    """The bearer token's claims; 401 when there is none or it does not verify."""
    if not token:
        raise errors.InvalidToken("Authentication required: send 'Authorization: Bearer <token>'.")
    try:
        return tokens.decode_access_token(settings.secret_key, token)
    except tokens.InvalidAccessToken as exc:
        raise errors.InvalidToken(str(exc)) from exc


async def authenticate(
    session: AsyncSession,
    claims: tokens.AccessClaims,
    statement: HotStatement = PRINCIPAL,
    kind: type[_Principal] = Principal,  # type: ignore[assignment]
    params: dict[str, Any] | None = None,
) -> _Principal:
    """The principal, if its sign-in is alive and its account enabled; 401 otherwise.

    `statement` is `accounts.repository.PRINCIPAL` or an extension of it that reads more
    of the caller in the same round trip (billing's subscriber query, the submit route's
    assessment), with `kind` the principal class that reads those columns and `params`
    the extension's own parameters."""
    ids = {"user_id": claims.user_id, "session_id": claims.session_id}
    row = await statement.first(session, ids if params is None else {**params, **ids})
    if row is None:
        raise errors.InvalidToken()
    expires_at = row["sign_in__expires_at"]
    if row["sign_in__revoked_at"] is not None or expires_at <= utcnow():
        raise errors.InvalidToken("This session has ended; sign in again.")
    if not row["user__is_active"]:
        raise errors.InvalidToken("This account is disabled.")
    return kind(session, claims, row)


class PrincipalScheme(HTTPBearer, Generic[_Principal]):
    """The current-principal dependency, and the HTTP bearer scheme that /openapi.json
    declares for every route that takes it (FastAPI reads a callable object's `__call__`
    for its parameters, and lists a `SecurityBase` among a route's security schemes).

    Its value is the signed-in caller, not FastAPI's credentials model; a missing or
    invalid token is our own 401 envelope (errors.InvalidToken), not FastAPI's. One
    dependency for the token and the sign-in check: each dependency FastAPI solves costs
    about 60,000 instructions per request (docs/PERFORMANCE.md). The token is verified
    with the running app's secret (`settings.app_settings`).

    `statement` and `kind` are as in `authenticate`: billing's subscriber scheme and the
    submit route's (assessments.dependencies) read more of the caller in the same round
    trip."""

    def __init__(self, statement: HotStatement, kind: type[_Principal]) -> None:
        super().__init__(
            auto_error=False,
            scheme_name="accessToken",
            description="The access token from POST /v1/auth/login or /v1/auth/refresh.",
        )
        self.statement, self.kind = statement, kind

    async def claims(self, request: Request) -> tokens.AccessClaims:
        return access_claims(await app_settings(request), bearer_token(request))

    async def __call__(self, request: Request, session: SessionDep) -> _Principal:  # type: ignore[override]
        claims = await self.claims(request)
        return await authenticate(session, claims, self.statement, self.kind)


current_principal = PrincipalScheme(PRINCIPAL, Principal)
CurrentPrincipal = Annotated[Principal, Depends(current_principal)]
