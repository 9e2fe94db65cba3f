"""Queries of accounts: the sign-in check every authenticated request runs."""

from __future__ import annotations

import datetime as dt
import functools
import unicodedata
from dataclasses import dataclass
from typing import Any, TypeVar, cast

from sqlalchemy import Select, Table, bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.orm import make_transient_to_detached

from insight_atlas.accounts.models import AuthSession, PasswordResetToken, RefreshToken, User
from insight_atlas.db import Base, HotStatement, RowByName

_Model = TypeVar("_Model", bound=Base)

_user = cast(Table, User.__table__)
_auth_session = cast(Table, AuthSession.__table__)


def labelled_columns(model: type[Base], prefix: str) -> list[Any]:
    """Every column of the model's table, labelled `<prefix>__<attribute>`, so a row of a
    joined query is read by name whatever the order of its columns."""
    return [
        attr.columns[0].label(f"{prefix}__{attr.key}") for attr in model.__mapper__.column_attrs
    ]


@functools.cache
def _labels(model: type[Base], prefix: str) -> tuple[tuple[str, str], ...]:
    """(attribute, label) of each column, worked out once: this runs on every request."""
    return tuple((attr.key, f"{prefix}__{attr.key}") for attr in model.__mapper__.column_attrs)


def adopt(session: AsyncSession, model: type[_Model], row: RowByName, prefix: str) -> _Model:
    """The session's object for the row's `<prefix>__*` columns: the one it already holds
    (a handler may have loaded it before), or a new one added as if the session had loaded
    it, so handlers can change or delete it as usual."""
    values = {key: row[label] for key, label in _labels(model, prefix)}
    key = session.sync_session.identity_key(model, values["id"])
    held = session.sync_session.identity_map.get(key)
    if held is not None:
        return cast(_Model, held)
    loaded = model(**values)
    make_transient_to_detached(loaded)
    session.add(loaded)
    return loaded


def principal_query() -> Select[Any]:
    """One round trip: the user and whether this sign-in is still alive. Parameters
    `user_id` and `session_id`; billing extends it with the subscription."""
    return (
        select(
            *labelled_columns(User, "user"),
            _auth_session.c.revoked_at.label("sign_in__revoked_at"),
            _auth_session.c.expires_at.label("sign_in__expires_at"),
        )
        .select_from(_user)
        .join(_auth_session, _auth_session.c.user_id == _user.c.id)
        .where(
            _user.c.id == bindparam("user_id", type_=_user.c.id.type),
            _auth_session.c.id == bindparam("session_id", type_=_auth_session.c.id.type),
        )
    )


PRINCIPAL = HotStatement(principal_query())


# Operators' tools (`atlas admin`): plain reads, never on a request's path.


@dataclass(frozen=True, slots=True)
class UserSummary:
    """The user row without its secrets (no password hash)."""

    id: int
    email: str
    is_active: bool
    created_at: dt.datetime
    last_login_at: dt.datetime | None
    password_changed_at: dt.datetime


@dataclass(frozen=True, slots=True)
class SignIn:
    created_at: dt.datetime
    last_used_at: dt.datetime
    revoked_at: dt.datetime | None
    revoked_reason: str | None
    ip_address: str | None


def normalise_email(email: str) -> str:
    """As addresses are stored: NFKC, trimmed, lower-case."""
    return unicodedata.normalize("NFKC", email).strip().lower()


async def user_by_email(connection: AsyncConnection, email: str) -> UserSummary | None:
    row = (
        await connection.execute(
            select(
                _user.c.id,
                _user.c.email,
                _user.c.is_active,
                _user.c.created_at,
                _user.c.last_login_at,
                _user.c.password_changed_at,
            ).where(_user.c.email == normalise_email(email))
        )
    ).first()
    return UserSummary(**row._mapping) if row is not None else None


async def recent_sign_ins(
    connection: AsyncConnection, user_id: int, limit: int = 10
) -> list[SignIn]:
    rows = await connection.execute(
        select(
            _auth_session.c.created_at,
            _auth_session.c.last_used_at,
            _auth_session.c.revoked_at,
            _auth_session.c.revoked_reason,
            _auth_session.c.ip_address,
        )
        .where(_auth_session.c.user_id == user_id)
        .order_by(_auth_session.c.created_at.desc())
        .limit(limit)
    )
    return [SignIn(**row._mapping) for row in rows]


# --- queries of the account flows (accounts/service.py) --------------------------------


async def email_taken(session: AsyncSession, email: str) -> bool:
    return await session.scalar(select(User.id).where(User.email == email)) is not None


async def user_with_email(session: AsyncSession, email: str) -> User | None:
    return await session.scalar(select(User).where(User.email == email))


async def user_by_id(session: AsyncSession, user_id: int) -> User | None:
    return await session.get(User, user_id)


async def refresh_token_with_session(
    session: AsyncSession, token_hash: str
) -> tuple[RefreshToken, AuthSession] | None:
    row = (
        await session.execute(
            select(RefreshToken, AuthSession)
            .join(AuthSession, AuthSession.id == RefreshToken.session_id)
            .where(RefreshToken.token_hash == token_hash)
        )
    ).first()
    return None if row is None else (row[0], row[1])


async def rotate_refresh_token(session: AsyncSession, token_id: int, now: dt.datetime) -> bool:
    """Mark the token used; False if it already was (of two concurrent uses one wins)."""
    rotated = await session.execute(
        update(RefreshToken)
        .where(RefreshToken.id == token_id, RefreshToken.rotated_at.is_(None))
        .values(rotated_at=now)
        .execution_options(synchronize_session=False)
    )
    return bool(rotated.rowcount == 1)  # type: ignore[attr-defined]


async def family_of(session: AsyncSession, token_hash: str) -> str | None:
    """The sign-in session a refresh token belongs to."""
    return await session.scalar(
        select(RefreshToken.session_id).where(RefreshToken.token_hash == token_hash)
    )


async def revoke_sessions(
    session: AsyncSession, session_ids: list[str], now: dt.datetime, reason: str
) -> None:
    await session.execute(
        update(AuthSession)
        .where(AuthSession.id.in_(session_ids), AuthSession.revoked_at.is_(None))
        .values(revoked_at=now, revoked_reason=reason)
        .execution_options(synchronize_session=False)
    )


async def revoke_sessions_of(
    session: AsyncSession, user_id: int, now: dt.datetime, reason: str
) -> None:
    await session.execute(
        update(AuthSession)
        .where(AuthSession.user_id == user_id, AuthSession.revoked_at.is_(None))
        .values(revoked_at=now, revoked_reason=reason)
        .execution_options(synchronize_session=False)
    )


async def retire_reset_tokens(session: AsyncSession, user_id: int, now: dt.datetime) -> None:
    """Earlier unused reset links stop working."""
    await session.execute(
        update(PasswordResetToken)
        .where(PasswordResetToken.user_id == user_id, PasswordResetToken.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )


async def reset_token(session: AsyncSession, token_hash: str) -> PasswordResetToken | None:
    return await session.scalar(
        select(PasswordResetToken).where(PasswordResetToken.token_hash == token_hash)
    )


async def spend_reset_token(session: AsyncSession, token_id: int, now: dt.datetime) -> bool:
    """Mark the link used; False if another request spent it first."""
    claimed = await session.execute(
        update(PasswordResetToken)
        .where(PasswordResetToken.id == token_id, PasswordResetToken.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    return bool(claimed.rowcount == 1)  # type: ignore[attr-defined]
