"""Signed, expiring links to the local sandbox checkout and portal pages.

The token is the only key to a sandbox page: it names the user and expires, and it is
an HMAC under SECRET_KEY, so a page for another user cannot be guessed or forged. It also
names the customer id stored for the user when it was made, which the pages check against
the subscription row (sandbox._row): that customer dies with the account, so a deleted
account's link does nothing to another account.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import secrets
from typing import Any
from urllib.parse import urlencode

import orjson

from insight_atlas.billing.errors import SandboxLinkInvalid
from insight_atlas.settings import Settings

LINK_LIFETIME = dt.timedelta(minutes=30)
CHECKOUT = "checkout"
PORTAL = "portal"


def _key(settings: Settings) -> bytes:
    # A key of its own, derived from SECRET_KEY, so these tokens cannot pass for others.
    return hmac.new(settings.secret_key.encode(), b"billing-sandbox-link", hashlib.sha256).digest()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign(settings: Settings, claims: dict[str, Any]) -> str:
    body = _b64(orjson.dumps(claims))
    mac = hmac.new(_key(settings), body.encode("ascii"), hashlib.sha256).digest()
    return f"{body}.{_b64(mac)}"


def verify(settings: Settings, token: str, purpose: str, now: dt.datetime) -> dict[str, Any]:
    """The claims of a valid, unexpired token for `purpose`; 404 otherwise."""
    if settings.billing_mode != "sandbox":
        raise SandboxLinkInvalid()
    body, _, mac = token.partition(".")
    try:
        expected = hmac.new(_key(settings), body.encode("ascii"), hashlib.sha256).digest()
        if not hmac.compare_digest(_unb64(mac), expected):
            raise SandboxLinkInvalid()
        claims = orjson.loads(_unb64(body))
    except (ValueError, UnicodeEncodeError) as exc:
        raise SandboxLinkInvalid() from exc
    if not isinstance(claims, dict) or claims.get("purpose") != purpose:
        raise SandboxLinkInvalid()
    if not isinstance(claims.get("exp"), int) or claims["exp"] <= int(now.timestamp()):
        raise SandboxLinkInvalid()
    return claims


def link(settings: Settings, purpose: str, claims: dict[str, Any], now: dt.datetime) -> str:
    token = sign(
        settings,
        {
            **claims,
            "purpose": purpose,
            "nonce": secrets.token_hex(12),
            "exp": int((now + LINK_LIFETIME).timestamp()),
        },
    )
    base = settings.public_api_url.rstrip("/")
    return f"{base}/v1/billing/sandbox/{purpose}?{urlencode({'token': token})}"
