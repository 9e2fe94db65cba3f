"""Read queries over accounts for operators' tools (the request path has its own)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from insight_atlas.accounts.models import AuthSession, User


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
    # Addresses are stored lower-case (a check constraint keeps them so).
    return email.strip().lower()


async def user_by_email(connection: AsyncConnection, email: str) -> UserSummary | None:
    row = (
        await connection.execute(
            select(
                User.id,
                User.email,
                User.is_active,
                User.created_at,
                User.last_login_at,
                User.password_changed_at,
            ).where(User.email == normalise_email(email))
        )
    ).first()
    return UserSummary(**row._mapping) if row is not None else None


async def recent_sign_ins(
    connection: AsyncConnection, user_id: int, limit: int = 10
) -> list[SignIn]:
    rows = await connection.execute(
        select(
            AuthSession.created_at,
            AuthSession.last_used_at,
            AuthSession.revoked_at,
            AuthSession.revoked_reason,
            AuthSession.ip_address,
        )
        .where(AuthSession.user_id == user_id)
        .order_by(AuthSession.created_at.desc())
        .limit(limit)
    )
    return [SignIn(**row._mapping) for row in rows]
