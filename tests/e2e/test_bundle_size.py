"""First-load JavaScript of every exported page stays within its budget (gzipped).

Reads the build output: each `web/out/**.html` → the `<script src>` files it loads → their
gzip sizes. `nomodule` scripts (legacy polyfills) are not loaded by any browser that runs
modules, so they are listed but not counted. Chunks loaded later on demand (dynamic imports)
are not first-load JavaScript.
"""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import pytest

OUT = Path(__file__).resolve().parents[2] / "web" / "out"
BUDGET_BYTES = 150_000
SCRIPT_TAG = re.compile(rb"<script\b[^>]*\bsrc=\"([^\"]+)\"[^>]*>", re.IGNORECASE)
NOMODULE = re.compile(rb"\bnomodule\b", re.IGNORECASE)


def gzip_size(path: Path) -> int:
    return len(gzip.compress(path.read_bytes(), compresslevel=9, mtime=0))


def first_load(html: Path) -> tuple[int, int]:
    """(counted bytes, nomodule bytes) of the scripts the page loads."""
    counted = legacy = 0
    for match in SCRIPT_TAG.finditer(html.read_bytes()):
        src = match.group(1).decode()
        if src.startswith(("http:", "https:", "//")):
            raise AssertionError(f"{html.name} loads a script from elsewhere: {src}")
        size = gzip_size(OUT / src.split("?")[0].lstrip("/"))
        if NOMODULE.search(match.group(0)):
            legacy += size
        else:
            counted += size
    return counted, legacy


def test_every_page_loads_at_most_150_kb_of_javascript_gzipped() -> None:
    pages = sorted(OUT.rglob("*.html")) if OUT.is_dir() else []
    if not pages:
        pytest.skip(f"{OUT} has no pages: build the site (cd web && npm ci && npm run build)")
    over = []
    print(f"\nfirst-load JavaScript per page (gzip, budget {BUDGET_BYTES / 1000:.0f} kB):")
    for html in pages:
        counted, legacy = first_load(html)
        route = "/" + html.relative_to(OUT).as_posix().removesuffix(".html")
        legacy_note = f"(+{legacy / 1000:.1f} kB nomodule, not loaded)"
        print(f"  {route:<26} {counted / 1000:7.1f} kB   {legacy_note}")
        if counted > BUDGET_BYTES:
            over.append(f"{route}: {counted / 1000:.1f} kB")
    assert not over, "over budget: " + ", ".join(over)
