"""Authentication dependencies: who is calling, checked against the database."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar, cast

from fastapi import Depends, Request
from sqlalchemy import bindparam, select
from sqlalchemy.dialects.postgresql.asyncpg import dialect as asyncpg_dialect
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import make_transient_to_detached

from insight_atlas.accounts import errors, tokens
from insight_atlas.accounts.models import AuthSession, User
from insight_atlas.billing.models import Subscription
from insight_atlas.db import SessionDep, asyncpg_connection, utcnow
from insight_atlas.services import Services, ServicesDep

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_MICROSECOND = dt.timedelta(microseconds=1)


def account_key(user_id: int, created_at: dt.datetime) -> str:
    """The account, not only its id: `<id>.<creation instant in microseconds>`.

    For what must die with the account, such as limiter counters, which outlive it: ids
    are never reused, and were one ever, the next account's creation instant would differ.
    """
    return f"{user_id}.{(created_at - _EPOCH) // _MICROSECOND}"


class Principal:
    """Who is calling. The ids are known at once; the `User` and `Subscription`, objects of
    the request's session, are built on first use: most requests only need the user id."""

    __slots__ = ("_build", "_created_at", "_objects", "session_id", "user_id")

    def __init__(
        self,
        user_id: int,
        session_id: str,
        build: Callable[[], tuple[User, Subscription]],
        created_at: dt.datetime | None = None,
    ) -> None:
        self.user_id, self.session_id = user_id, session_id
        self._build = build
        # From the sign-in check's row, so `account` costs no objects; else from the user.
        self._created_at = created_at
        self._objects: tuple[User, Subscription] | None = None

    @property
    def account(self) -> str:
        """See `account_key`."""
        return account_key(self.user_id, self._created_at or self.user.created_at)

    @property
    def user(self) -> User:
        return self._loaded()[0]

    @property
    def subscription(self) -> Subscription:
        return self._loaded()[1]

    def _loaded(self) -> tuple[User, Subscription]:
        if self._objects is None:
            self._objects = self._build()
        return self._objects


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization")
    if not header:
        return None
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


# One round trip: the user, the plan and whether this sign-in is still alive. Built once:
# every authenticated request runs it, and building a statement costs more than its SQL.
PRINCIPAL_QUERY = (
    select(User, Subscription, AuthSession.revoked_at, AuthSession.expires_at)
    .join(Subscription, Subscription.user_id == User.id)
    .join(AuthSession, AuthSession.user_id == User.id)
    .where(User.id == bindparam("user_id"), AuthSession.id == bindparam("session_id"))
)
# On PostgreSQL the same query, compiled once, runs on asyncpg itself (see
# db.asyncpg_connection): one round trip and no BEGIN, since it runs before the request
# has begun a transaction. Its row becomes the session's own User and Subscription, as if
# the session had loaded them, so handlers can change or delete them as before.
_PG_PRINCIPAL_SQL = str(PRINCIPAL_QUERY.compile(dialect=asyncpg_dialect()))  # type: ignore[no-untyped-call]
_USER_KEYS = tuple(attr.key for attr in User.__mapper__.column_attrs)
_SUBSCRIPTION_KEYS = tuple(attr.key for attr in Subscription.__mapper__.column_attrs)


@dataclass(frozen=True, slots=True)
class _PrincipalRow:
    is_active: bool
    created_at: dt.datetime
    revoked_at: dt.datetime | None
    expires_at: dt.datetime
    build: Callable[[], tuple[User, Subscription]]


_IS_ACTIVE = _USER_KEYS.index("is_active")
_CREATED_AT = _USER_KEYS.index("created_at")
_Row = TypeVar("_Row", User, Subscription)


def _adopt(session: AsyncSession, model: type[_Row], values: dict[str, Any]) -> _Row:
    """The session's object for this row: the one it already holds (a handler may have
    loaded the row before asking for the principal's), or a new one added as loaded."""
    key = session.sync_session.identity_key(model, values["id"])
    held = session.sync_session.identity_map.get(key)
    if held is not None:
        return cast(_Row, held)
    loaded = model(**values)
    make_transient_to_detached(loaded)
    session.add(loaded)
    return loaded


def principal_from_record(session: AsyncSession, values: tuple[Any, ...]) -> _PrincipalRow:
    """A row of `PRINCIPAL_QUERY` as read by asyncpg: its columns in order."""
    split = len(_USER_KEYS)

    def build() -> tuple[User, Subscription]:
        user_values = dict(zip(_USER_KEYS, values[:split], strict=True))
        subscription_values = dict(zip(_SUBSCRIPTION_KEYS, values[split:-2], strict=True))
        return (
            _adopt(session, User, user_values),
            _adopt(session, Subscription, subscription_values),
        )

    return _PrincipalRow(values[_IS_ACTIVE], values[_CREATED_AT], values[-2], values[-1], build)


async def _principal_row(
    session: AsyncSession, user_id: int, session_id: str
) -> _PrincipalRow | None:
    pg = await asyncpg_connection(session)
    if pg is None:
        params = {"user_id": user_id, "session_id": session_id}
        row = (await session.execute(PRINCIPAL_QUERY, params)).first()
        if row is None:
            return None
        user, subscription = row[0], row[1]
        return _PrincipalRow(
            user.is_active, user.created_at, row[2], row[3], lambda: (user, subscription)
        )
    record = await pg.fetchrow(_PG_PRINCIPAL_SQL, user_id, session_id)
    if record is None:
        return None
    return principal_from_record(session, tuple(record))


def access_claims(request: Request, services: Services) -> tokens.AccessClaims:
    """The bearer token's claims; 401 when there is none or it does not verify."""
    token = bearer_token(request)
    if token is None:
        raise errors.InvalidToken("Authentication required: send 'Authorization: Bearer <token>'.")
    try:
        return tokens.decode_access_token(services.settings.secret_key, token)
    except tokens.InvalidAccessToken as exc:
        raise errors.InvalidToken(str(exc)) from exc


def admit(claims: tokens.AccessClaims, row: _PrincipalRow | None) -> Principal:
    """The principal, if its sign-in is alive and its account enabled; 401 otherwise."""
    if row is None:
        raise errors.InvalidToken()
    if row.revoked_at is not None or row.expires_at <= utcnow():
        raise errors.InvalidToken("This session has ended; sign in again.")
    if not row.is_active:
        raise errors.InvalidToken("This account is disabled.")
    return Principal(claims.user_id, claims.session_id, row.build, row.created_at)


async def load_principal(session: AsyncSession, claims: tokens.AccessClaims) -> Principal:
    return admit(claims, await _principal_row(session, claims.user_id, claims.session_id))


async def get_current_principal(
    request: Request, session: SessionDep, services: ServicesDep
) -> Principal:
    return await load_principal(session, access_claims(request, services))


CurrentPrincipal = Annotated[Principal, Depends(get_current_principal)]
