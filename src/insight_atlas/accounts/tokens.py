"""Access tokens (signed, short-lived JWTs) and opaque single-use secrets."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import secrets
import time
from dataclasses import dataclass

import jwt

ACCESS_TOKEN_TYPE = "access"  # noqa: S105 - a claim value, not a secret
ISSUER = "insight-atlas"
ALGORITHM = "HS256"
# User ids are positive BIGINTs: at most the largest signed 64-bit integer.
MAX_USER_ID = 2**63 - 1
MAX_SESSION_ID_LENGTH = 64


@dataclass(frozen=True, slots=True)
class AccessClaims:
    user_id: int
    session_id: str


class InvalidAccessToken(Exception):
    pass


def create_access_token(
    secret_key: str, *, user_id: int, session_id: str, now: dt.datetime, lifetime: dt.timedelta
) -> str:
    payload = {
        "iss": ISSUER,
        "sub": str(user_id),
        "sid": session_id,
        "typ": ACCESS_TOKEN_TYPE,
        "iat": int(now.timestamp()),
        "exp": int((now + lifetime).timestamp()),
    }
    return jwt.encode(payload, secret_key, algorithm=ALGORITHM)


def decode_access_token(secret_key: str, token: str) -> AccessClaims:
    """The token's claims if its signature, issuer, type and expiry check out."""
    claims, expires_at = _verified_token(secret_key, token)
    # The cached verification stands only until the token's own expiry.
    if time.time() >= expires_at:
        raise InvalidAccessToken("The access token has expired.")
    return claims


# A client sends the same access token with every request for its 15-minute life, and
# verifying it (base64, JSON, HMAC, claim checks) costs more than the database lookup
# that follows, so a verification is remembered for the exact token string. Only tokens
# that passed are cached; expiry is checked on every use above; whether the session is
# still alive is checked against the database on every request, as before.
@functools.lru_cache(maxsize=4096)
def _verified_token(secret_key: str, token: str) -> tuple[AccessClaims, int]:
    try:
        # The algorithm is pinned: never trust the token's own "alg" header.
        payload = jwt.decode(
            token,
            secret_key,
            algorithms=[ALGORITHM],
            issuer=ISSUER,
            options={"require": ["exp", "iat", "sub", "sid", "typ"]},
        )
    except jwt.ExpiredSignatureError as exc:
        raise InvalidAccessToken("The access token has expired.") from exc
    except jwt.PyJWTError as exc:
        raise InvalidAccessToken("The access token is invalid.") from exc
    if payload.get("typ") != ACCESS_TOKEN_TYPE:
        raise InvalidAccessToken("This token is not an access token.")
    user_id, session_id = _user_id(payload["sub"]), _session_id(payload["sid"])
    try:
        return AccessClaims(user_id=user_id, session_id=session_id), int(payload["exp"])
    except (TypeError, ValueError) as exc:
        raise InvalidAccessToken("The access token is invalid.") from exc


def _user_id(subject: object) -> int:
    """The user id in a `sub` claim, which this service writes as canonical decimal text.

    int() alone would take " 7", "+7", "7_0", "٧" and ids no column holds: the database
    then fails the lookup with an error (a 500) rather than finding no one (a 401).
    """
    if not (
        isinstance(subject, str)
        and 0 < len(subject) <= len(str(MAX_USER_ID))
        and subject.isascii()
        and subject.isdigit()
        and subject[0] != "0"
        and int(subject) <= MAX_USER_ID
    ):
        raise InvalidAccessToken("The access token is invalid.")
    return int(subject)


def _session_id(value: object) -> str:
    """The session id in a `sid` claim (a UUID when issued here): short printable ASCII,
    so no database refuses the lookup (a NUL, say) instead of finding no session."""
    if not (
        isinstance(value, str)
        and 0 < len(value) <= MAX_SESSION_ID_LENGTH
        and value.isascii()
        and value.isprintable()
    ):
        raise InvalidAccessToken("The access token is invalid.")
    return value


def new_opaque_token() -> str:
    return secrets.token_urlsafe(32)


def hash_opaque_token(token: str) -> str:
    # Tokens carry 256 random bits, so a fast unsalted hash is enough to make a
    # leaked table useless without slowing every refresh.
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
