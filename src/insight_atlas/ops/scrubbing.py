"""Personal data and secrets out of free-form text: exception messages and tracebacks.

Log lines and error reports name what failed with ids; but an exception's message is
written by whoever raised it, and some quote what they were given (SQLAlchemy appends a
statement's parameters, SMTP errors the refused address, a validation error the value).
Such text passes through `scrub_text` before it is logged or sent.
"""

from __future__ import annotations

import re
from collections.abc import MutableMapping
from typing import Any

from insight_atlas.ops.redaction import REDACTED, redact_secrets

_EMAIL = re.compile(r"[^\s@\"'<>(),;:\[\]]+@[^\s@\"'<>(),;:\[\]]+\.[A-Za-z]{2,}")
_BEARER = re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{8,}")
_JWT = re.compile(r"\beyJ[\w-]*\.[\w-]+\.[\w-]*")
_PASSWORD_HASH = re.compile(r"\$argon2[a-z]*\$[^\s\"')]+")
# SQLAlchemy appends the statement's parameters (addresses, hashes, ciphertext) to its
# errors' messages; the statement itself, with placeholders, stays.
_SQL_PARAMETERS = re.compile(r"\[parameters: .*?\](?=\n|$)", re.DOTALL)
# Opaque tokens (refresh, reset, share: 43 URL-safe characters) and other long secrets.
# A run of 32 or more with a digit and a letter: identifiers in code have no digits,
# secrets almost always have both.
_LONG_SECRET = re.compile(
    r"(?<![A-Za-z0-9_-])(?=[A-Za-z_-]*[0-9])(?=[0-9_-]*[A-Za-z])[A-Za-z0-9_-]{32,}(?![A-Za-z0-9_-])"
)
_UUID_OR_HEX = re.compile(
    r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]+", re.I
)


def scrub_text(text: str) -> str:
    """`text` with e-mail addresses, credentials, tokens and SQL parameters removed."""
    text = redact_secrets(text)
    text = _SQL_PARAMETERS.sub(f"[parameters: {REDACTED}]", text)
    text = _BEARER.sub(lambda match: f"{match[1]} {REDACTED}", text)
    text = _JWT.sub(REDACTED, text)
    text = _PASSWORD_HASH.sub(REDACTED, text)
    text = _EMAIL.sub("[email]", text)
    # Ids (UUIDs, hex digests) help debugging and are not credentials: kept.
    return _LONG_SECRET.sub(
        lambda match: match[0] if _UUID_OR_HEX.fullmatch(match[0]) else REDACTED, text
    )


def scrub_exception_field(
    _logger: Any, _method: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """structlog processor, after format_exc_info: the rendered traceback scrubbed."""
    exception = event_dict.get("exception")
    if isinstance(exception, str):
        event_dict["exception"] = scrub_text(exception)
    return event_dict


def scrub_log_message(
    _logger: Any, _method: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """structlog processor for lines of other libraries (uvicorn, httpx, SQLAlchemy): their
    messages are free text, and may quote a URL with a token or an address."""
    event = event_dict.get("event")
    if isinstance(event, str):
        event_dict["event"] = scrub_text(event)
    return event_dict
