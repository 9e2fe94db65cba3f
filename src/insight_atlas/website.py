"""The web app's static export, served by the API at `/` on the same origin.

`make run` builds `web/out` (Next.js static export); when that directory exists the API
serves it for every GET or HEAD that no API route answers, so one port gives the whole
product. Paths are looked up in a map built at start-up (never joined onto the file
system, so `..` cannot escape), in this order: the exact file, `<path>.html`,
`<path>/index.html`, then the page exported for a dynamic segment (`/reports/_.html`
serves `/reports/<any id>`), else `404.html` with status 404. `/v1/…` and the
operational paths keep the API's own 404.

Each HTML page gets a Content-Security-Policy that allows exactly its own inline
scripts by hash, so no `unsafe-inline` is needed for scripts.
"""

from __future__ import annotations

import base64
import functools
import gzip
import hashlib
import mimetypes
import re
from dataclasses import dataclass
from pathlib import Path

from starlette.types import ASGIApp, Receive, Scope, Send

# Dynamic segments are exported once under this name and filled in by the page.
PLACEHOLDER_SEGMENT = "_"
# Never served from the site, even when no route matches: the API's 404 stays theirs.
API_PREFIXES = ("/v1/", "/v1", "/healthz", "/readyz", "/version", "/metrics", "/openapi.json")
_INLINE_SCRIPT = re.compile(rb"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", re.DOTALL)
# Worth compressing: text the browser asks for on every first visit.
_COMPRESSIBLE = (".html", ".js", ".css", ".json", ".txt", ".xml", ".svg", ".map")
_MIN_GZIP_BYTES = 1024
# The site needs none of these; as web/vercel.json sends on Vercel.
PERMISSIONS_POLICY = (
    b"camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"
)


@dataclass(frozen=True, slots=True)
class SiteFile:
    body: bytes
    gzipped: bytes | None
    content_type: str
    cache_control: str
    csp: str | None


def _script_hashes(html: bytes) -> list[str]:
    hashes = []
    for match in _INLINE_SCRIPT.finditer(html):
        digest = base64.b64encode(hashlib.sha256(match.group(1)).digest()).decode("ascii")
        hashes.append(f"'sha256-{digest}'")
    return sorted(set(hashes))


def page_csp(html: bytes) -> str:
    scripts = " ".join(["'self'", *_script_hashes(html)])
    return (
        "default-src 'self'; "
        f"script-src {scripts}; "
        # React sets style attributes (progress widths); styles cannot run code.
        "style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; "
        "font-src 'self'; "
        "connect-src 'self'; "
        "object-src 'none'; "
        "frame-ancestors 'none'; "
        "base-uri 'self'; "
        "form-action 'self'"
    )


def _load(path: Path, url_path: str) -> SiteFile:
    body = path.read_bytes()
    content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    if content_type.startswith("text/") or content_type in ("application/javascript",):
        content_type += "; charset=utf-8"
    is_html = path.suffix == ".html"
    # Next.js puts a content hash in every file name under /_next/static/.
    immutable = url_path.startswith("/_next/static/")
    gzipped = None
    if path.suffix in _COMPRESSIBLE and len(body) >= _MIN_GZIP_BYTES:
        gzipped = gzip.compress(body, compresslevel=9, mtime=0)
    return SiteFile(
        body=body,
        gzipped=gzipped,
        content_type=content_type,
        cache_control="public, max-age=31536000, immutable" if immutable else "no-cache",
        csp=page_csp(body) if is_html else None,
    )


class Website:
    """Every file of the export, read once; `find` answers a request path."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.files: dict[str, SiteFile] = {}
        for path in sorted(root.rglob("*")):
            if path.is_file():
                url_path = "/" + path.relative_to(root).as_posix()
                self.files[url_path] = _load(path, url_path)
        self.not_found = self.files.get("/404.html")

    def find(self, path: str) -> SiteFile | None:
        path = "/" + path.strip("/")
        if path == "/":
            return self.files.get("/index.html")
        for candidate in (path, f"{path}.html", f"{path}/index.html"):
            if candidate in self.files:
                return self.files[candidate]
        parent, _, _ = path.rpartition("/")
        if parent:
            return self.files.get(f"{parent}/{PLACEHOLDER_SEGMENT}.html")
        return None


def is_site_path(path: str) -> bool:
    return not any(path == prefix or path.startswith(prefix + "/") for prefix in API_PREFIXES)


class WebsiteFallback:
    """The router's not-found handler: site pages for GET/HEAD, the API's 404 otherwise."""

    def __init__(self, website: Website, api_not_found: ASGIApp) -> None:
        self.website = website
        self.api_not_found = api_not_found

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "/")
        if (
            scope["type"] != "http"
            or scope["method"] not in ("GET", "HEAD")
            or not is_site_path(path)
        ):
            await self.api_not_found(scope, receive, send)
            return
        found = self.website.find(path)
        status = 200
        if found is None:
            found, status = self.website.not_found, 404
        if found is None:
            await self.api_not_found(scope, receive, send)
            return
        await _send_file(scope, send, found, status)


def _accepts_gzip(scope: Scope) -> bool:
    for name, value in scope.get("headers", ()):
        if name == b"accept-encoding":
            return b"gzip" in value
    return False


async def _send_file(scope: Scope, send: Send, found: SiteFile, status: int) -> None:
    body = found.body
    headers = [
        (b"content-type", found.content_type.encode("latin-1")),
        (b"cache-control", found.cache_control.encode("latin-1")),
        (b"vary", b"Accept-Encoding"),
    ]
    if found.gzipped is not None and _accepts_gzip(scope):
        body = found.gzipped
        headers.append((b"content-encoding", b"gzip"))
    if found.csp is not None:
        headers.append((b"content-security-policy", found.csp.encode("latin-1")))
        headers.append((b"permissions-policy", PERMISSIONS_POLICY))
    headers.append((b"content-length", str(len(body)).encode("latin-1")))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else body})


def default_dist_dir() -> Path:
    """`web/out` of the checkout this package runs from."""
    return Path(__file__).resolve().parents[2] / "web" / "out"


@functools.lru_cache(maxsize=4)
def _load_website(root: Path, built_at_ns: int) -> Website:
    return Website(root)


def website_for(web_dist_dir: str) -> Website | None:
    """The built site to serve, or None (API only): not built, or WEB_DIST_DIR=off."""
    if web_dist_dir.strip().lower() == "off":
        return None
    root = Path(web_dist_dir) if web_dist_dir.strip() else default_dist_dir()
    index = root / "index.html"
    if not index.is_file():
        return None
    # Read once per build: apps created again (tests, reloads) share the same copy.
    return _load_website(root.resolve(), index.stat().st_mtime_ns)
