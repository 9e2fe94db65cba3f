"""Access-token verification, including the per-token verification cache."""

from __future__ import annotations

import datetime as dt

import pytest

from insight_atlas.accounts import tokens
from insight_atlas.accounts.tokens import (
    AccessClaims,
    InvalidAccessToken,
    create_access_token,
    decode_access_token,
)

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
