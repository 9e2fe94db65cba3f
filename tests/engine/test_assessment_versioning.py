"""Data files are pinned to their versions: editing one without a version bump fails.

When an instrument or template file changes on purpose, bump its version (and
the norms version if norms changed) and record the new hash here.
"""

from __future__ import annotations

import hashlib
import json
from importlib import resources

import pytest

PINNED = {
    "instruments/ipip-neo-120.json": (
        "1.1.0",
        "87654890ccc26c8a80fe5c371c3f0bdd248ac221c626217c871b13d1cf96f199",
    ),
    "instruments/mini-ipip.json": (
        "1.0.1",
        "b0812d20252d378e781bbaff0bd8fc0c29e69bf1e3850fa95cfb9f0ef4063fce",
    ),
    "instruments/work-style.json": (
        "1.0.0",
        "88ba724adcabeef966800679784767677eddf1f65d77a387d303b934bfc68353",
    ),
    "resources/narrative_templates.json": (
        "1.1.0",
        "f53839875d21d0f6f01fcc6d678238f9dc5a79a273d004833d874699ede42892",
    ),
}


@pytest.mark.parametrize("relative", sorted(PINNED))
def test_data_file_matches_its_pinned_version(relative: str) -> None:
    folder, name = relative.split("/")
    path = resources.files("insight_atlas.engine").joinpath(folder).joinpath(name)
    content = path.read_bytes()
    version, digest = PINNED[relative]
    assert json.loads(content)["version"] == version
    assert hashlib.sha256(content).hexdigest() == digest, (
        f"{relative} changed: bump its version and update the pinned hash"
    )
