"""The API serves the web app's static export at `/`, beside and below its own routes."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from helpers.api import CLIENT_IP, assert_error
from helpers.databases import make_settings
from insight_atlas.app import create_app

INLINE = b'self.__next_f.push([1,"hello"])'
CHUNK = b"console.log('a chunk');\n" * 200


def _export(root: Path) -> Path:
    files = {
        "index.html": b"<html><head><script>" + INLINE + b"</script>"
        b'<script src="/_next/static/chunks/main-abc.js" async=""></script></head>'
        b"<body>Landing</body></html>",
        "404.html": b"<html><body>Page not found</body></html>",
        "pricing.html": b"<html><body>Pricing</body></html>",
        "reports.html": b"<html><body>History</body></html>",
        "reports/_.html": b"<html><body>One report</body></html>",
        "assessments/new.html": b"<html><body>Choose a questionnaire</body></html>",
        "assessments/_.html": b"<html><body>Questionnaire</body></html>",
        "_next/static/chunks/main-abc.js": CHUNK,
        "robots.txt": b"User-agent: *\nAllow: /\n",
    }
    for name, body in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(body)
    return root


@pytest.fixture
async def site_client(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    dist = _export(tmp_path / "out")
    settings = make_settings(
        f"sqlite+aiosqlite:///{tmp_path / 'none.db'}", tmp_path / "data", web_dist_dir=str(dist)
    )
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app, client=(CLIENT_IP, 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8000") as http:
        yield http
    await app.state.database.engine.dispose()


async def test_the_landing_page_has_a_csp_that_allows_its_own_inline_scripts_only(
    site_client: httpx.AsyncClient,
) -> None:
    response = await site_client.get("/")
    assert response.status_code == 200 and b"Landing" in response.content
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.headers["cache-control"] == "no-cache"
    csp = response.headers["content-security-policy"]
    digest = base64.b64encode(hashlib.sha256(INLINE).digest()).decode()
    script_src = next(part for part in csp.split("; ") if part.startswith("script-src"))
    assert script_src == f"script-src 'self' 'sha256-{digest}'"
    assert "unsafe-inline" not in script_src and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp and "default-src 'self'" in csp
    assert response.headers["x-frame-options"] == "DENY"
    assert "camera=()" in response.headers["permissions-policy"]


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ("/pricing", b"Pricing"),
        ("/pricing/", b"Pricing"),
        ("/reports", b"History"),
        ("/reports/3f1c2a9e-0000-4000-8000-000000000001", b"One report"),
        ("/assessments/new", b"Choose a questionnaire"),
        ("/assessments/8d2f", b"Questionnaire"),
        ("/robots.txt", b"User-agent"),
    ],
)
async def test_pages_and_dynamic_segments_are_found(
    site_client: httpx.AsyncClient, path: str, text: bytes
) -> None:
    response = await site_client.get(path)
    assert response.status_code == 200, path
    assert text in response.content


@pytest.mark.parametrize(
    "path", ["/nope", "/reports/a/b", "/../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/_.html"]
)
async def test_unknown_site_paths_get_the_site_404_page(
    site_client: httpx.AsyncClient, path: str
) -> None:
    response = await site_client.get(path)
    assert response.status_code == 404
    assert b"Page not found" in response.content
    assert b"root:" not in response.content


@pytest.mark.parametrize(
    ("method", "path", "status", "code"),
    [
        ("GET", "/v1/nope", 404, "not_found"),
        ("GET", "/v1", 404, "not_found"),
        ("POST", "/pricing", 404, "not_found"),
        ("DELETE", "/reports/x", 404, "not_found"),
        ("GET", "/v1/billing/checkout", 405, "method_not_allowed"),
    ],
)
async def test_api_paths_and_other_methods_keep_the_api_errors(
    site_client: httpx.AsyncClient, method: str, path: str, status: int, code: str
) -> None:
    assert_error(await site_client.request(method, path), status, code)


async def test_operational_endpoints_are_untouched(site_client: httpx.AsyncClient) -> None:
    assert (await site_client.get("/healthz")).json() == {"status": "ok"}
    assert (await site_client.get("/openapi.json")).json()["info"]["title"]


async def test_hashed_assets_are_immutable_and_gzipped_when_asked(
    site_client: httpx.AsyncClient,
) -> None:
    path = "/_next/static/chunks/main-abc.js"
    plain = await site_client.get(path, headers={"Accept-Encoding": "identity"})
    assert plain.content == CHUNK and "content-encoding" not in plain.headers
    assert plain.headers["cache-control"] == "public, max-age=31536000, immutable"
    packed = await site_client.get(path, headers={"Accept-Encoding": "gzip, br"})
    assert packed.headers["content-encoding"] == "gzip"
    assert int(packed.headers["content-length"]) < len(CHUNK) // 10
    assert packed.content == CHUNK  # httpx decodes it


async def test_head_sends_headers_without_a_body(site_client: httpx.AsyncClient) -> None:
    response = await site_client.head("/pricing")
    assert response.status_code == 200 and response.content == b""
    assert int(response.headers["content-length"]) > 0


async def test_without_a_build_or_when_turned_off_only_the_api_answers(tmp_path: Path) -> None:
    _export(tmp_path / "out")
    for web_dist_dir in ("off", str(tmp_path / "missing")):
        settings = make_settings(
            f"sqlite+aiosqlite:///{tmp_path / 'none.db'}",
            tmp_path / "data",
            web_dist_dir=web_dist_dir,
        )
        app: FastAPI = create_app(settings)
        transport = httpx.ASGITransport(app=app, client=(CLIENT_IP, 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            assert_error(await http.get("/"), 404, "not_found")
        await app.state.database.engine.dispose()
