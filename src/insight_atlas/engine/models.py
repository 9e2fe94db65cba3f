"""Instrument data model: the parsed, immutable form of an instrument JSON file.

Parsing happens once per process (see ``registry``); the lookup tables built
here are what keep per-report scoring cheap.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal

Keying = Literal["plus", "minus"]
ScaleKind = Literal["facet", "domain", "trait", "workstyle"]


@dataclass(frozen=True, slots=True)
class Item:
    id: str
    number: int
    text: str
    scale: str
    keyed: Keying
    source: str


@dataclass(frozen=True, slots=True)
class Scale:
    key: str
    label: str
    kind: ScaleKind
    items: tuple[str, ...] = ()
    components: tuple[str, ...] = ()
    max_missing_items: int = 0
    min_components: int = 0
    domain: str | None = None


@dataclass(frozen=True, slots=True)
class ScaleNorm:
    mean: float
    sd: float


@dataclass(frozen=True, slots=True)
class NormGroup:
    id: str
    label: str
    sex: str | None
    age_band: str | None
    status: str
    scales: MappingProxyType[str, ScaleNorm]


@dataclass(frozen=True, slots=True)
class Reliability:
    alpha: float
    status: str
    citation: str | None
    note: str | None


@dataclass(frozen=True, slots=True)
class ValidityRules:
    longstring_caution: int
    longstring_invalid: int
    longstring_citations: tuple[str, ...]
    irv_caution_below: float
    irv_invalid_below: float
    irv_citations: tuple[str, ...]
    synonym_pairs: tuple[tuple[str, str], ...]
    antonym_pairs: tuple[tuple[str, str], ...]
    synonym_caution_below: float
    antonym_caution_above: float
    pair_citations: tuple[str, ...]
    seconds_per_item_floor: float
    time_caution_share: float
    time_invalid_share: float
    time_citations: tuple[str, ...]


# eq=False: instruments compare and hash by identity, so they can key caches
# (their mapping fields are not hashable).
@dataclass(frozen=True, slots=True, eq=False)
class Instrument:
    key: str
    title: str
    version: str
    plan: str
    estimated_minutes: int
    normed: bool
    scoring_method: Literal["sum", "mean"]
    pro_rating_rule: str
    answer_scale: tuple[tuple[int, str], ...]
    citations: MappingProxyType[str, str]
    item_citation: str
    items: tuple[Item, ...]
    scales: tuple[Scale, ...]
    norms_version: str | None
    norms_citation: str | None
    combined_norm_rule: str | None
    default_age_band: str | None
    norm_groups: MappingProxyType[str, NormGroup]
    # Derived norms name their sample and its caveats, and may send an age band with too
    # few respondents to another group: group id -> (group used instead, why).
    norms_sample: str | None
    norms_caveats: tuple[str, ...]
    norm_fallbacks: MappingProxyType[str, tuple[str, str]]
    combined_norm_reason: str | None
    reliability: MappingProxyType[str, Reliability]
    validity: ValidityRules
    # Lookup tables derived from the fields above; never part of equality.
    item_by_id: MappingProxyType[str, Item] = field(compare=False, repr=False)
    scale_by_key: MappingProxyType[str, Scale] = field(compare=False, repr=False)
    item_order: tuple[str, ...] = field(compare=False, repr=False)

    @property
    def item_count(self) -> int:
        return len(self.items)

    def describe(self) -> dict[str, Any]:
        """Public description for the API: everything a client needs to render it."""
        return {
            "key": self.key,
            "title": self.title,
            "version": self.version,
            "plan": self.plan,
            "estimated_minutes": self.estimated_minutes,
            "normed": self.normed,
            "item_count": self.item_count,
            "answer_scale": [{"value": v, "label": label} for v, label in self.answer_scale],
            "items": [
                {"id": it.id, "number": it.number, "text": it.text, "scale": it.scale}
                for it in self.items
            ],
            "scales": [{"key": s.key, "label": s.label, "kind": s.kind} for s in self.scales],
            "citations": dict(self.citations),
            "norms_version": self.norms_version,
        }
