"""Keeping bearer secrets that travel in URLs out of logs.

A share-link token in `/v1/shared/{token}` and the `?token=` of a sandbox checkout or
portal link (and of the web app's reset-password link) are the whole credential: anyone
who reads them in a log can open what they guard. Logs keep the route template and the
path with such values replaced, never the values.
"""

from __future__ import annotations

import re

from starlette.types import Scope

REDACTED = "[redacted]"
# Path parameters that are credentials (route templates name them so).
SECRET_PATH_PARAMETERS = frozenset({"token"})
# Secrets in free-form text: a share path, web (/shared/…) or API (/v1/shared/…), and a
# query parameter named token or *_token.
_SECRET_IN_URL = re.compile(
    r"(?P<prefix>/shared/|[?&;](?:[A-Za-z0-9]*_)?token=)(?P<secret>[^/?#&;\s\"'<>]+)", re.I
)


def redact_secrets(text: str) -> str:
    """`text` with every share-path token and token query value replaced."""
    if "shared/" not in text and "token=" not in text.lower():
        return text  # the common case, without running the expression
    return _SECRET_IN_URL.sub(lambda match: match["prefix"] + REDACTED, text)


def loggable_path(scope: Scope) -> str:
    """The request path as logs may show it: secret path parameters replaced."""
    path: str = scope.get("path", "")
    for name, value in (scope.get("path_params") or {}).items():
        if name in SECRET_PATH_PARAMETERS and isinstance(value, str) and value:
            path = path.replace(value, REDACTED)
    # Unmatched paths (a stray slash, the web app's /shared/… sent to the API) too.
    return redact_secrets(path)
