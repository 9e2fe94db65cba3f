"""Authentication dependencies: who is calling, checked against the database."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import bindparam, select
from sqlalchemy.dialects.postgresql.asyncpg import dialect as asyncpg_dialect
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import make_transient_to_detached

from insight_atlas.accounts import errors, tokens
from insight_atlas.accounts.models import AuthSession, User
from insight_atlas.billing.models import Subscription
from insight_atlas.db import SessionDep, asyncpg_connection, utcnow
from insight_atlas.services import ServicesDep


@dataclass(frozen=True, slots=True)
class Principal:
    user: User
    subscription: Subscription
    session_id: str


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
_PRINCIPAL_QUERY = (
    select(User, Subscription, AuthSession.revoked_at, AuthSession.expires_at)
    .join(Subscription, Subscription.user_id == User.id)
    .join(AuthSession, AuthSession.user_id == User.id)
    .where(User.id == bindparam("user_id"), AuthSession.id == bindparam("session_id"))
)
# On PostgreSQL the same query, compiled once, runs on asyncpg itself (see
# db.asyncpg_connection): one round trip and no BEGIN, since it runs before the request
# has begun a transaction. Its row becomes the session's own User and Subscription, as if
# the session had loaded them, so handlers can change or delete them as before.
_PG_PRINCIPAL_SQL = str(_PRINCIPAL_QUERY.compile(dialect=asyncpg_dialect()))  # type: ignore[no-untyped-call]
_USER_KEYS = tuple(attr.key for attr in User.__mapper__.column_attrs)
_SUBSCRIPTION_KEYS = tuple(attr.key for attr in Subscription.__mapper__.column_attrs)


async def _principal_row(
    session: AsyncSession, user_id: int, session_id: str
) -> tuple[User, Subscription, dt.datetime | None, dt.datetime] | None:
    pg = await asyncpg_connection(session)
    if pg is None:
        params = {"user_id": user_id, "session_id": session_id}
        row = (await session.execute(_PRINCIPAL_QUERY, params)).first()
        return None if row is None else (row[0], row[1], row[2], row[3])
    record = await pg.fetchrow(_PG_PRINCIPAL_SQL, user_id, session_id)
    if record is None:
        return None
    values = tuple(record)
    split = len(_USER_KEYS)
    user = User(**dict(zip(_USER_KEYS, values[:split], strict=True)))
    subscription = Subscription(**dict(zip(_SUBSCRIPTION_KEYS, values[split:-2], strict=True)))
    for loaded in (user, subscription):
        make_transient_to_detached(loaded)
        session.add(loaded)
    return user, subscription, values[-2], values[-1]


async def get_current_principal(
    request: Request, session: SessionDep, services: ServicesDep
) -> Principal:
    token = bearer_token(request)
    if token is None:
        raise errors.InvalidToken("Authentication required: send 'Authorization: Bearer <token>'.")
    try:
        claims = tokens.decode_access_token(services.settings.secret_key, token)
    except tokens.InvalidAccessToken as exc:
        raise errors.InvalidToken(str(exc)) from exc
    row = await _principal_row(session, claims.user_id, claims.session_id)
    if row is None:
        raise errors.InvalidToken()
    user, subscription, revoked_at, expires_at = row
    if revoked_at is not None or expires_at <= utcnow():
        raise errors.InvalidToken("This session has ended; sign in again.")
    if not user.is_active:
        raise errors.InvalidToken("This account is disabled.")
    return Principal(user=user, subscription=subscription, session_id=claims.session_id)


CurrentPrincipal = Annotated[Principal, Depends(get_current_principal)]
