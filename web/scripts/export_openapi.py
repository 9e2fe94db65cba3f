"""Write the API's OpenAPI schema to web/openapi.json, the input of `npm run gen:api`.

Run with the project's Python from the repository root:

    .venv/bin/python web/scripts/export_openapi.py

The schema is built in process (no server, no database connection) and serialised
canonically, exactly as tests/e2e/test_api_client_fresh.py compares it.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from insight_atlas.app import create_app
from insight_atlas.settings import Settings

OUTPUT = Path(__file__).resolve().parent.parent / "openapi.json"


def canonical_json(spec: dict[str, Any]) -> str:
    return json.dumps(spec, indent=2, sort_keys=True) + "\n"


def build_spec(data_dir: Path) -> dict[str, Any]:
    settings = Settings(
        _env_file=None,
        atlas_env="test",
        atlas_data_dir=data_dir,
        database_url=f"sqlite+aiosqlite:///{data_dir / 'atlas.db'}",
        secret_key="export-openapi-" + "x" * 32,
        engine_processes=0,
    )
    return create_app(settings).openapi()


def main() -> int:
    with tempfile.TemporaryDirectory() as directory:
        text = canonical_json(build_spec(Path(directory)))
    OUTPUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUTPUT} ({len(text)} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
