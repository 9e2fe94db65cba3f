"""engine/validity/*.json: reproducible from their derivation, and the flag-rate targets
hold on a bounded, seeded sample scored through ``score()``."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import sys
from importlib import resources
from pathlib import Path
from types import ModuleType

import pytest

from insight_atlas.engine import ENGINE_VERSION

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(os.environ.get("NORMS_DATA_TSV", ROOT.parent / "shared/data/ipip50-big5/big5.tsv"))


def _module(name: str, path: Path) -> ModuleType:
    if name in sys.modules:
        return sys.modules[name]
    sys.path.insert(0, str(ROOT / "tools"))
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


# Parameter files belong to ENGINE_VERSION: changing one bumps it and records the new
# hash here (the re-derivation test below needs the data file; this one does not).
PINNED = {
    "ipip-neo-120": ("1.1.0", "a3f17d21448bf0c6a03a80ff0fb547c187d837cdfcef7c18941270c8bfe6d55b"),
    "mini-ipip": ("1.1.0", "368a29bcea7b78afbed32804044ad98fd7c0a1962a8b407ae8e88c7c863cb753"),
}

derive_validity = _module("derive_validity", ROOT / "tools" / "derive_validity.py")
bench_validity = _module("bench_validity", ROOT / "bench" / "validity.py")


def shipped() -> dict[str, bytes]:
    folder = resources.files("insight_atlas.engine").joinpath("validity")
    return {
        p.name.removesuffix(".json"): p.read_bytes()
        for p in folder.iterdir()
        if p.name.endswith(".json")
    }


def test_parameter_files_ship_for_the_big_five_forms() -> None:
    files = shipped()
    assert {"mini-ipip", "ipip-neo-120"} <= set(files)
    for key, content in files.items():
        doc = json.loads(content)
        assert doc["instrument"] == key
        assert doc["provenance"]["reference"] in {"open_sample", "simulation"}


@pytest.mark.parametrize("key", sorted(PINNED))
def test_parameter_files_are_pinned_to_the_engine_version(key: str) -> None:
    version, digest = PINNED[key]
    assert version == ENGINE_VERSION
    assert hashlib.sha256(shipped()[key]).hexdigest() == digest, (
        f"engine/validity/{key}.json changed: bump ENGINE_VERSION and update the pinned hash"
    )


@pytest.mark.parametrize("key", sorted(shipped()))
def test_shipped_parameters_are_reproduced_by_the_derivation(key: str) -> None:
    content = shipped()[key]
    provenance = json.loads(content)["provenance"]
    data: Path | None = None
    if provenance["reference"] == "open_sample":
        if not DATA.is_file():
            pytest.skip(f"open sample not found at {DATA} (set NORMS_DATA_TSV)")
        data = DATA
    doc = derive_validity.derive(key, data)
    assert derive_validity.render(doc) == content, (
        f"engine/validity/{key}.json differs from its derivation: run {provenance['command']}"
    )


def test_ipip50_column_mapping_follows_the_published_order() -> None:
    columns = derive_validity.ipip50_columns()
    assert len(columns) == 50 and len(set(columns.values())) == 50
    # E1 "life of the party" is item 1, A1 item 2, C1 item 3, N1 item 4, O1 item 5,
    # E2 item 6, ..., O10 item 50.
    assert [columns[f"ipip50-{n:02d}"] for n in (1, 2, 3, 4, 5, 6, 50)] == [
        "E1", "A1", "C1", "N1", "O1", "E2", "O10",
    ]  # fmt: skip


@pytest.mark.parametrize("key", ["mini-ipip", "ipip-neo-120", "ipip-50"])
def test_flag_rates_meet_their_targets_on_a_bounded_sample(key: str) -> None:
    if key not in shipped():
        pytest.skip(f"no engine/validity/{key}.json in this build")
    result = bench_validity.rates(key, 400, DATA if DATA.is_file() else None)
    if key != "ipip-neo-120" and DATA.is_file():
        assert "open sample" in result.groups
    for name, group in result.groups.items():
        assert group.n > 0
        assert result.passed(name), (key, name, group.share, result.targets[name])
