"""Interactive API documentation at /docs (Swagger UI) and /redoc, served from this package.

FastAPI's own pages load Swagger UI and ReDoc from a CDN and start them with an inline
script; under our `default-src 'none'` a browser shows a blank page, and offline there is
no CDN at all. Here the assets come from the pinned `fastapi-offline` package and the
start-up code from a file of ours, and each page sends a policy that allows exactly them.
"""

from __future__ import annotations

import functools
from pathlib import Path

import fastapi_offline
from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response

from insight_atlas.errors import NotFound

router = APIRouter(include_in_schema=False)

_VENDOR = Path(fastapi_offline.__file__).resolve().parent / "static"
_OURS = Path(__file__).resolve().parent / "api_docs_assets"
ASSETS: dict[str, tuple[Path, str]] = {
    "swagger-ui-bundle.js": (_VENDOR / "swagger-ui-bundle.js", "text/javascript"),
    "swagger-ui.css": (_VENDOR / "swagger-ui.css", "text/css"),
    "redoc.standalone.js": (_VENDOR / "redoc.standalone.js", "text/javascript"),
    "favicon.png": (_VENDOR / "favicon.png", "image/png"),
    "swagger-init.js": (_OURS / "swagger-init.js", "text/javascript"),
}
# Scripts and styles from here only; the viewers style elements inline (no code runs from
# that), fetch /openapi.json (and "Try it out" calls) from here, and ReDoc searches in a
# worker it starts from a blob.
DOCS_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; worker-src blob:; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)

_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="icon" type="image/png" href="/docs/assets/favicon.png">
{head}</head>
<body>{body}</body></html>
"""
SWAGGER_PAGE = _PAGE.format(
    title="Insight Atlas API - Swagger UI",
    head='<link rel="stylesheet" href="/docs/assets/swagger-ui.css">',
    body='<div id="swagger-ui"></div>'
    '<script src="/docs/assets/swagger-ui-bundle.js"></script>'
    '<script src="/docs/assets/swagger-init.js"></script>',
)
REDOC_PAGE = _PAGE.format(
    title="Insight Atlas API - ReDoc",
    head="",
    body='<redoc spec-url="/openapi.json"></redoc>'
    '<script src="/docs/assets/redoc.standalone.js"></script>',
)


def _html(page: str) -> HTMLResponse:
    return HTMLResponse(page, headers={"Content-Security-Policy": DOCS_CSP})


@router.get("/docs")
async def swagger_ui() -> HTMLResponse:
    return _html(SWAGGER_PAGE)


@router.get("/redoc")
async def redoc() -> HTMLResponse:
    return _html(REDOC_PAGE)


@functools.cache
def _asset(name: str) -> bytes:
    return ASSETS[name][0].read_bytes()


@router.get("/docs/assets/{name}")
async def asset(name: str) -> Response:
    if name not in ASSETS:
        raise NotFound()
    return Response(
        _asset(name),
        media_type=ASSETS[name][1],
        headers={"Cache-Control": "public, max-age=86400"},
    )
