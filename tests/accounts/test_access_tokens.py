"""Access-token verification, including the per-token verification cache."""

from __future__ import annotations

import datetime as dt
import time
import uuid
from typing import Any

import httpx
import jwt
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from helpers.api import assert_error, bearer, signed_in_user
from insight_atlas.accounts import tokens
from insight_atlas.accounts.dependencies import authenticate
from insight_atlas.accounts.errors import InvalidToken
from insight_atlas.accounts.models import User
from insight_atlas.accounts.tokens import (
    AccessClaims,
    InvalidAccessToken,
    create_access_token,
    decode_access_token,
)
from insight_atlas.billing.dependencies import SUBSCRIBER, Subscriber
from insight_atlas.billing.models import Subscription

SECRET = "token-test-secret-" + "x" * 32


def _token(now: dt.datetime, minutes: int = 15, secret: str = SECRET) -> str:
    return create_access_token(
        secret, user_id=7, session_id="s-1", now=now, lifetime=dt.timedelta(minutes=minutes)
    )


def test_a_verified_token_is_refused_once_it_expires(monkeypatch: pytest.MonkeyPatch) -> None:
    now = dt.datetime.now(dt.UTC)
    token = _token(now, minutes=1)
    assert decode_access_token(SECRET, token) == AccessClaims(user_id=7, session_id="s-1")
    assert tokens._verified_token.cache_info().currsize >= 1
    # Two minutes later the cached verification must not keep the token alive.
    later = now.timestamp() + 120
    monkeypatch.setattr(tokens.time, "time", lambda: later)
    with pytest.raises(InvalidAccessToken, match="expired"):
        decode_access_token(SECRET, token)


def test_a_token_is_verified_per_secret() -> None:
    token = _token(dt.datetime.now(dt.UTC))
    assert decode_access_token(SECRET, token).user_id == 7
    # The same string checked against another key (after a rotation) is refused.
    with pytest.raises(InvalidAccessToken, match="invalid"):
        decode_access_token("another-secret-" + "y" * 32, token)


def test_refusals_are_not_cached() -> None:
    tokens._verified_token.cache_clear()
    forged = _token(dt.datetime.now(dt.UTC), secret="forger-" + "z" * 40)
    for _ in range(2):
        with pytest.raises(InvalidAccessToken):
            decode_access_token(SECRET, forged)
    assert tokens._verified_token.cache_info().currsize == 0


async def test_the_principal_is_loaded_as_the_sessions_own_objects(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    # On PostgreSQL the sign-in check runs on asyncpg directly; on SQLite through the
    # session. Either way the objects must equal an ORM load, column for column, and belong
    # to the session, so that a handler's change to them is written.
    profile, issued = await signed_in_user(client)
    secret = app.state.settings.secret_key
    claims = decode_access_token(secret, issued["access_token"])
    sessionmaker = app.state.database.sessionmaker
    async with sessionmaker() as session:
        principal = await authenticate(session, claims, SUBSCRIBER, Subscriber)
        assert principal.created_at > dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)
        # The objects are built on first use, once.
        user, subscription = principal.user, principal.subscription
        assert principal.user is user and principal.user_id == user.id == profile["id"]
        assert principal.subscription is subscription
        assert user in session and subscription in session
        assert not session.dirty
        user.display_name = "Renamed by a handler"
        await session.commit()
    async with sessionmaker() as session:
        stored_user = await session.get(User, profile["id"])
        stored_subscription = await session.scalar(
            select(Subscription).where(Subscription.user_id == profile["id"])
        )
        assert stored_user is not None and stored_subscription is not None
        for loaded, stored in ((user, stored_user), (subscription, stored_subscription)):
            for attr in type(stored).__mapper__.column_attrs:
                assert getattr(loaded, attr.key) == getattr(stored, attr.key), attr.key
        assert stored_user.display_name == "Renamed by a handler"
    async with sessionmaker() as session:
        # The plain principal (no subscription) reads the same user.
        plain = await authenticate(session, claims)
        assert plain.user.display_name == "Renamed by a handler"
        assert not hasattr(plain, "subscription")
    async with sessionmaker() as session:
        gone = AccessClaims(user_id=claims.user_id, session_id="no-such-session")
        with pytest.raises(InvalidToken):
            await authenticate(session, gone)


async def test_the_principal_reuses_rows_the_session_already_holds(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    # A handler may load the user's rows before it first asks for principal.user: the
    # principal must then hand out those same objects, not attach a second copy.
    profile, issued = await signed_in_user(client)
    claims = decode_access_token(app.state.settings.secret_key, issued["access_token"])
    async with app.state.database.sessionmaker() as session:
        principal = await authenticate(session, claims, SUBSCRIBER, Subscriber)
        held_user = await session.get(User, profile["id"])
        held_subscription = await session.scalar(
            select(Subscription).where(Subscription.user_id == profile["id"])
        )
        assert principal.user is held_user
        assert principal.subscription is held_subscription
        principal.user.display_name = "Changed once"
        await session.commit()
    async with app.state.database.sessionmaker() as session:
        stored = await session.get(User, profile["id"])
        assert stored is not None and stored.display_name == "Changed once"


def _signed(secret: str, **claims: Any) -> str:
    """A token signed with the right key and right in every claim but those given."""
    now = int(time.time())
    payload = {
        "iss": tokens.ISSUER,
        "typ": tokens.ACCESS_TOKEN_TYPE,
        "sub": "7",
        "sid": str(uuid.uuid4()),
        "iat": now,
        "exp": now + 600,
        **claims,
    }
    return jwt.encode(payload, secret, algorithm=tokens.ALGORITHM)


BAD_SUBJECTS: list[Any] = [
    str(2**63),  # one past the largest id a BIGINT holds
    "9" * 30,
    "9" * 5000,
    "-1",
    "0",
    "007",
    " 7",
    "7 ",
    "+7",
    "7_0",
    "\u0667",  # ARABIC-INDIC DIGIT SEVEN: int() reads it as 7
    "1.5",
    "1e3",
    "",
    "seven",
    7,
    7.0,
    True,
    None,
    [7],
    {"id": 7},
]


@pytest.mark.parametrize("subject", BAD_SUBJECTS, ids=repr)
def test_a_subject_that_is_not_a_canonical_64_bit_id_is_refused(subject: Any) -> None:
    with pytest.raises(InvalidAccessToken):
        decode_access_token(SECRET, _signed(SECRET, sub=subject))


@pytest.mark.parametrize("session_id", ["", "a\x00b", "x" * 65, "s\u00e9", 12, None])
def test_a_session_id_the_database_cannot_look_up_is_refused(session_id: Any) -> None:
    with pytest.raises(InvalidAccessToken):
        decode_access_token(SECRET, _signed(SECRET, sid=session_id))


def test_the_largest_64_bit_subject_is_accepted() -> None:
    claims = decode_access_token(SECRET, _signed(SECRET, sub=str(2**63 - 1), sid="s-1"))
    assert claims == AccessClaims(user_id=2**63 - 1, session_id="s-1")


@pytest.mark.parametrize("subject", [str(2**63), "9" * 30, "-1", "0", " 7", 7.5, True])
async def test_bad_subjects_are_401_on_every_authenticated_path(
    client: httpx.AsyncClient, app: FastAPI, subject: Any
) -> None:
    await signed_in_user(client)
    token = _signed(app.state.settings.secret_key, sub=subject)
    assessment = str(uuid.uuid4())
    for method, path in (
        ("GET", "/v1/me"),
        ("DELETE", "/v1/me/data"),
        ("GET", "/v1/reports"),
        # The submit route reads the token itself and, on PostgreSQL, looks the
        # principal up in one statement with the assessment.
        ("POST", f"/v1/assessments/{assessment}/submit"),
        ("POST", "/v1/assessments/not-a-uuid/submit"),
    ):
        response = await client.request(method, path, headers=bearer(token))
        assert_error(response, 401, "invalid_token")
        assert response.headers["www-authenticate"] == "Bearer"
    # Logout reads the token on its own: such a token names no session to end.
    assert_error(await client.post("/v1/auth/logout", headers=bearer(token)), 401, "invalid_token")
