"""The web app's API client is generated from the API as it is now.

web/openapi.json must equal the schema `create_app(...).openapi()` builds (serialised
canonically, as web/scripts/export_openapi.py writes it), and web/src/api/schema.d.ts must be
what `npm run gen:api` (openapi-typescript) generates from that file.
"""

from __future__ import annotations

import json
import shlex
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from helpers.databases import make_settings
from insight_atlas.app import create_app

WEB = Path(__file__).resolve().parents[2] / "web"
OPENAPI = WEB / "openapi.json"
SCHEMA_TS = WEB / "src" / "api" / "schema.d.ts"
GENERATED_OUTPUT = "src/api/schema.d.ts"
FIX = "run `.venv/bin/python web/scripts/export_openapi.py && (cd web && npm run gen:api)`"


def canonical_json(spec: dict[str, Any]) -> str:
    return json.dumps(spec, indent=2, sort_keys=True) + "\n"


def test_openapi_json_is_the_apps_schema(tmp_path: Path) -> None:
    settings = make_settings(f"sqlite+aiosqlite:///{tmp_path / 'schema.db'}", tmp_path / "data")
    expected = canonical_json(create_app(settings).openapi())
    assert OPENAPI.read_text(encoding="utf-8") == expected, f"web/openapi.json is stale: {FIX}"


def test_schema_types_are_generated_from_openapi_json(tmp_path: Path) -> None:
    if shutil.which("node") is None:
        pytest.skip("node is not installed: cannot run openapi-typescript to compare")
    generator = WEB / "node_modules" / ".bin" / "openapi-typescript"
    if not generator.exists():
        pytest.skip("web/node_modules is missing (run `npm ci` in web/) to compare")
    script = json.loads((WEB / "package.json").read_text())["scripts"]["gen:api"]
    arguments = shlex.split(script)
    assert arguments[0] == "openapi-typescript" and GENERATED_OUTPUT in arguments, script
    fresh = tmp_path / "schema.d.ts"
    arguments[arguments.index(GENERATED_OUTPUT)] = str(fresh)
    subprocess.run(
        [str(generator), *arguments[1:]], cwd=WEB, check=True, capture_output=True, timeout=120
    )
    assert SCHEMA_TS.read_text(encoding="utf-8") == fresh.read_text(encoding="utf-8"), (
        f"web/src/api/schema.d.ts differs from a fresh generation: {FIX}"
    )
