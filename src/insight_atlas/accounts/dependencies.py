"""Authentication dependencies: who is calling, checked against the database."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import bindparam, select

from insight_atlas.accounts import errors, tokens
from insight_atlas.accounts.models import AuthSession, User
from insight_atlas.billing.models import Subscription
from insight_atlas.db import SessionDep, utcnow
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
    row = (
        await session.execute(
            _PRINCIPAL_QUERY, {"user_id": claims.user_id, "session_id": claims.session_id}
        )
    ).first()
    if row is None:
        raise errors.InvalidToken()
    user, subscription, revoked_at, expires_at = row
    if revoked_at is not None or expires_at <= utcnow():
        raise errors.InvalidToken("This session has ended; sign in again.")
    if not user.is_active:
        raise errors.InvalidToken("This account is disabled.")
    return Principal(user=user, subscription=subscription, session_id=claims.session_id)


CurrentPrincipal = Annotated[Principal, Depends(get_current_principal)]
