"""The browser's refresh token: an HttpOnly cookie that JavaScript never sees.

The web app signs in with `"cookie": true`; the refresh token then travels only as the
`atlas_refresh` cookie, limited to `/v1/auth` and sent by the browser only to this site
(SameSite=Strict). A request that uses the cookie must also carry an `Origin` we serve
(CSRF): the API's own, the web app's, or one in CORS_ORIGINS.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from fastapi import Request, Response

from insight_atlas.errors import AppError
from insight_atlas.settings import Settings

REFRESH_COOKIE = "atlas_refresh"
COOKIE_PATH = "/v1/auth"
# Browsers treat these as secure contexts over plain http, so a local `make run` works;
# everywhere else the cookie is only ever sent over TLS.
_LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1", "[::1]"})


class OriginRefused(AppError):
    code = "origin_refused"
    status_code = 403
    message = (
        "This request uses the sign-in cookie and must come from the Insight Atlas site"
        " (its Origin header is missing or not allowed)."
    )


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def allowed_origins(settings: Settings) -> frozenset[str]:
    return frozenset(
        {_origin(settings.public_api_url), _origin(settings.public_web_url)}
        | {_origin(origin) for origin in settings.cors_origins}
    )


def check_origin(request: Request, settings: Settings) -> None:
    """Refuse a cookie-carrying request that another site could have made the browser send."""
    origin = request.headers.get("origin")
    if not origin or origin == "null":
        raise OriginRefused()
    origin = origin.lower()
    # The page that called us was served by this very host (the API serving the site).
    host = request.headers.get("host", "").lower()
    if host and urlsplit(origin).netloc == host:
        return
    if origin not in allowed_origins(settings):
        raise OriginRefused()


def is_secure(request: Request) -> bool:
    return not (request.url.scheme == "http" and request.url.hostname in _LOOPBACK_HOSTS)


def set_refresh_cookie(
    response: Response, request: Request, refresh_token: str, max_age_seconds: int
) -> None:
    response.set_cookie(
        REFRESH_COOKIE,
        refresh_token,
        max_age=max_age_seconds,
        path=COOKIE_PATH,
        secure=is_secure(request),
        httponly=True,
        samesite="strict",
    )


def clear_refresh_cookie(response: Response, request: Request) -> None:
    response.delete_cookie(
        REFRESH_COOKIE,
        path=COOKIE_PATH,
        secure=is_secure(request),
        httponly=True,
        samesite="strict",
    )


def refresh_token_from_cookie(request: Request, settings: Settings) -> str | None:
    """The cookie's refresh token, once the request's Origin is one of ours; None if absent."""
    token = request.cookies.get(REFRESH_COOKIE)
    if not token:
        return None
    check_origin(request, settings)
    return token
