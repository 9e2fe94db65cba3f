"""The shipped derived norms are exactly what tools/derive_norms.py computes from the data.

The open data file is not part of the repository: it is looked up next to it
(`<repo>/../shared/data/ipip50-big5/big5.tsv`) or at $NORMS_DATA_TSV, and the test is
skipped, saying so, when it is absent.
"""

from __future__ import annotations

import functools
import hashlib
import os
from pathlib import Path

import pytest

from insight_atlas.engine.norm_derivation import (
    NORMS_VERSIONS,
    DerivationError,
    apply,
    column_for_item_number,
    derive,
    instrument_json,
    parse_tsv,
)
from insight_atlas.engine.registry import load_raw_instrument, parse_instrument

REPO = Path(__file__).resolve().parents[2]
DATA_SHA256 = "ccf2440c364b7cf4aa131b83968084aa7c7388be5808ff1920a27b3d6a07f3d9"


def data_path() -> Path:
    override = os.environ.get("NORMS_DATA_TSV")
    if override:
        return Path(override)
    return REPO.parent / "shared" / "data" / "ipip50-big5" / "big5.tsv"


@functools.cache
def _read_data(path: Path) -> tuple[str, list[dict[str, str]]]:
    content = path.read_bytes()
    return hashlib.sha256(content).hexdigest(), parse_tsv(content)  # parsed once per run


def data() -> tuple[str, list[dict[str, str]]]:
    path = data_path()
    if not path.is_file():
        pytest.skip(f"open data file not found at {path} (set NORMS_DATA_TSV to point at it)")
    return _read_data(path)


IPIP50 = parse_instrument(load_raw_instrument("ipip-50"))


@pytest.mark.parametrize("key", sorted(NORMS_VERSIONS))
def test_shipped_norms_are_rederived_byte_for_byte(key: str) -> None:
    raw = load_raw_instrument(key)
    sha256, rows = data()
    derived = derive(
        parse_instrument(raw),
        IPIP50,
        rows,
        data_sha256=sha256,
        data_rows=len(rows),
        version=NORMS_VERSIONS[key],
    )
    assert derived["norms"]["source"]["sha256"] == DATA_SHA256
    assert derived["norms"] == raw["norms"]
    for scale, entry in derived["reliability"].items():
        assert {k: raw["reliability"][scale][k] for k in entry} == entry
    # --write would leave the shipped file exactly as it is.
    shipped = (REPO / "src" / "insight_atlas" / "engine" / "instruments" / f"{key}.json").read_text(
        "utf-8"
    )
    assert instrument_json(apply(raw, derived)) == shipped


def answer_row(i: int) -> list[str]:
    """50 answers 1-5 that vary between rows and items (a fixed pseudo-random pattern)."""
    return [str(1 + (i * 7919 + n * 104729) * 2654435761 % 4294967291 % 5) for n in range(50)]


def test_cleaning_rules_and_fallbacks_on_a_small_table() -> None:
    header = ["age", "gender", *(column_for_item_number(n) for n in range(1, 51))]
    lines = ["\t".join(header)]
    # 300 women aged 30, answers varying by row; 5 men aged 250 (age unknown); one row
    # with a missed item (dropped); 2 rows of gender 3 (combined groups only).
    for i in range(300):
        lines.append("\t".join(["30", "2", *answer_row(i)]))
    for i in range(5):
        lines.append("\t".join(["250", "1", *answer_row(i)]))
    lines.append("\t".join(["30", "2", "0", *(["3"] * 49)]))
    for i in range(2):
        lines.append("\t".join(["30", "3", *answer_row(i + 7)]))
    rows = parse_tsv("\n".join(lines).encode())
    out = derive(IPIP50, IPIP50, rows, data_sha256="x", data_rows=len(rows), version="t.1")["norms"]
    groups, fallbacks = out["groups"], out["fallbacks"]
    assert out["source"]["rows_used"] == 307
    assert groups["female_all"]["n"] == groups["female_21_40"]["n"] == 300
    assert groups["combined_all"]["n"] == 307 and groups["combined_21_40"]["n"] == 302
    assert groups["male_all"]["n"] == 5 and "male_21_40" not in groups
    assert fallbacks["male_21_40"]["group"] == "male_all"
    assert fallbacks["male_21_40"]["n"] == 0
    assert "median age 30" in out["sample"]


def test_an_item_outside_the_50_markers_is_refused() -> None:
    raw = load_raw_instrument("mini-ipip")
    raw["items"][0] = {**raw["items"][0], "text": "Am the soul of the party"}
    with pytest.raises(DerivationError, match="not one of the 50 IPIP markers"):
        derive(parse_instrument(raw), IPIP50, [], data_sha256="x", data_rows=0, version="t")
