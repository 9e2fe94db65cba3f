"""Derived validity parameters: engine/validity/<instrument>.json.

Written by tools/derive_validity.py from the open item-level sample (or, where
no such sample exists, from a documented simulation) and read here once per
process. An instrument without a file keeps the content-based rules of its
instrument file.
"""

from __future__ import annotations

import functools
import itertools
import json
from dataclasses import dataclass
from importlib import resources
from typing import Any

from .consistency import invert


@dataclass(frozen=True, slots=True)
class TailRule:
    """One index's threshold and the reference distribution it was taken from."""

    threshold: float
    direction: str  # "below" or "above": the side on which answers are flagged
    reference_share: float  # percent of the reference distribution beyond the threshold
    percentiles: tuple[float, ...]  # 0th..100th percentile of the reference distribution


@dataclass(frozen=True, slots=True)
class ValidityParameters:
    instrument: str
    reference: str  # "open_sample" or "simulation"
    reference_label: str  # words for the reader: who the reference respondents are
    items: tuple[str, ...]
    citations: dict[str, str]
    synonym_pairs: tuple[tuple[str, str], ...]
    antonym_pairs: tuple[tuple[str, str], ...]
    scales: tuple[tuple[str, ...], ...]
    rules: dict[str, TailRule]
    irv_caution_below: float | None
    item_means: tuple[float, ...] | None
    mean: tuple[float, ...] | None
    inverse_covariance: tuple[tuple[float, ...], ...] | None


def _rule(raw: dict[str, Any]) -> TailRule:
    direction = "below" if "caution_below" in raw else "above"
    threshold = raw["caution_below"] if direction == "below" else raw["caution_above"]
    percentiles = tuple(float(p) for p in raw["percentiles"])
    if any(lo > hi for lo, hi in itertools.pairwise(percentiles)):
        # consistency.percentile_rank searches them by bisection.
        raise ValueError("percentiles must be in ascending order")
    return TailRule(float(threshold), direction, float(raw["reference_share_flagged"]), percentiles)


def parse_parameters(raw: dict[str, Any]) -> ValidityParameters:
    indices: dict[str, Any] = raw["indices"]
    rules = {name: _rule(body) for name, body in indices.items() if name != "irv"}
    maha = indices.get("mahalanobis")
    covariance = maha["covariance"] if maha else None
    person = indices.get("person_total")
    return ValidityParameters(
        instrument=raw["instrument"],
        reference=raw["provenance"]["reference"],
        reference_label=raw["provenance"]["reference_label"],
        items=tuple(raw["items"]),
        citations=dict(raw["citations"]),
        synonym_pairs=tuple((a, b) for a, b, _ in indices["synonym_consistency"]["pairs"]),
        antonym_pairs=tuple((a, b) for a, b, _ in indices["antonym_consistency"]["pairs"]),
        scales=tuple(tuple(items) for _, items in indices["even_odd"]["scales"]),
        rules=rules,
        irv_caution_below=float(indices["irv"]["caution_below"]) if "irv" in indices else None,
        item_means=tuple(float(m) for m in person["item_means"]) if person else None,
        mean=tuple(float(m) for m in maha["mean"]) if maha else None,
        inverse_covariance=(
            tuple(tuple(row) for row in invert(covariance)) if covariance is not None else None
        ),
    )


@functools.cache
def load_parameters(instrument_key: str) -> ValidityParameters | None:
    """Parameters for ``instrument_key``, or None when none were derived for it."""
    path = resources.files(__package__).joinpath("validity").joinpath(f"{instrument_key}.json")
    if not path.is_file():
        return None
    return parse_parameters(json.loads(path.read_text("utf-8")))
