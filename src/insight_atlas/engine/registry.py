"""Loading instrument JSON files shipped inside the package.

Files are parsed once per process and cached: the engine is called per
report, the data changes only with a release.
"""

from __future__ import annotations

import functools
import json
from importlib import resources
from types import MappingProxyType
from typing import Any

from .errors import UnknownInstrumentError
from .models import (
    Instrument,
    Item,
    NormGroup,
    Reliability,
    Scale,
    ScaleNorm,
    ValidityRules,
)

_INSTRUMENT_KEYS: tuple[str, ...] = ("ipip-neo-120", "mini-ipip", "ipip-50", "work-style")


def _read_json(name: str) -> Any:
    text = resources.files(__package__).joinpath("instruments").joinpath(name).read_text("utf-8")
    return json.loads(text)


def _pairs(raw: list[list[str]]) -> tuple[tuple[str, str], ...]:
    return tuple((a, b) for a, b in raw)


def _validity(raw: dict[str, Any]) -> ValidityRules:
    ls, irv, pc, rt = raw["longstring"], raw["irv"], raw["pair_consistency"], raw["response_time"]
    return ValidityRules(
        longstring_caution=int(ls["caution_at_or_above"]),
        longstring_invalid=int(ls["invalid_at_or_above"]),
        longstring_citations=tuple(ls["citations"]),
        irv_caution_below=float(irv["caution_below"]),
        irv_invalid_below=float(irv["invalid_below"]),
        irv_citations=tuple(irv["citations"]),
        synonym_pairs=_pairs(raw["synonym_pairs"]),
        antonym_pairs=_pairs(raw["antonym_pairs"]),
        synonym_caution_below=float(pc["synonym_caution_below"]),
        antonym_caution_above=float(pc["antonym_caution_above"]),
        pair_citations=tuple(pc["citations"]),
        seconds_per_item_floor=float(rt["seconds_per_item_floor"]),
        time_caution_share=float(rt["caution_share_at_or_above"]),
        time_invalid_share=float(rt["invalid_share_at_or_above"]),
        time_citations=tuple(rt["citations"]),
    )


def parse_instrument(raw: dict[str, Any]) -> Instrument:
    """Build an Instrument from its JSON form, checking internal consistency."""
    items = tuple(
        Item(
            id=i["id"],
            number=int(i["number"]),
            text=i["text"],
            scale=i["scale"],
            keyed=i["keyed"],
            source=i["source"],
        )
        for i in raw["items"]
    )
    scales = tuple(
        Scale(
            key=s["key"],
            label=s["label"],
            kind=s["kind"],
            items=tuple(s.get("items", ())),
            components=tuple(s.get("components", ())),
            max_missing_items=int(s.get("max_missing_items", 0)),
            min_components=int(s.get("min_components", 0)),
            domain=s.get("domain"),
        )
        for s in raw["scales"]
    )
    item_by_id = {it.id: it for it in items}
    scale_by_key = {s.key: s for s in scales}
    if len(item_by_id) != len(items) or len(scale_by_key) != len(scales):
        raise ValueError(f"{raw['key']}: duplicate item ids or scale keys")
    for s in scales:
        missing = [i for i in s.items if i not in item_by_id]
        missing += [c for c in s.components if c not in scale_by_key]
        if missing:
            raise ValueError(f"{raw['key']}: scale {s.key} refers to unknown {missing}")
    norms = raw.get("norms") or {}
    groups = {
        gid: NormGroup(
            id=gid,
            label=g["label"],
            sex=g["sex"],
            age_band=g["age_band"],
            status=g["status"],
            scales=MappingProxyType(
                {k: ScaleNorm(float(v["mean"]), float(v["sd"])) for k, v in g["scales"].items()}
            ),
        )
        for gid, g in norms.get("groups", {}).items()
    }
    fallbacks = {gid: (f["group"], f["reason"]) for gid, f in norms.get("fallbacks", {}).items()}
    unknown = sorted(g for g, _ in fallbacks.values() if g not in groups)
    if unknown:
        raise ValueError(f"{raw['key']}: norm fallbacks refer to unknown groups {unknown}")
    reliability = {
        k: Reliability(float(r["alpha"]), r["status"], r.get("citation"), r.get("note"))
        for k, r in raw.get("reliability", {}).items()
    }
    return Instrument(
        key=raw["key"],
        title=raw["title"],
        version=raw["version"],
        plan=raw["plan"],
        estimated_minutes=int(raw["estimated_minutes"]),
        normed=bool(raw["normed"]),
        scoring_method=raw["scoring"]["method"],
        pro_rating_rule=raw["scoring"]["pro_rating"],
        answer_scale=tuple((int(a["value"]), a["label"]) for a in raw["answer_scale"]),
        citations=MappingProxyType(dict(raw["citations"])),
        item_citation=raw["item_citation"],
        items=items,
        scales=scales,
        norms_version=norms.get("version"),
        norms_citation=norms.get("citation"),
        combined_norm_rule=norms.get("combined_rule"),
        default_age_band=norms.get("default_age_band"),
        norm_groups=MappingProxyType(groups),
        norms_sample=norms.get("sample"),
        norms_caveats=tuple(norms.get("caveats", ())),
        norm_fallbacks=MappingProxyType(fallbacks),
        combined_norm_reason=norms.get("combined_reason"),
        reliability=MappingProxyType(reliability),
        validity=_validity(raw["validity"]),
        item_by_id=MappingProxyType(item_by_id),
        scale_by_key=MappingProxyType(scale_by_key),
        item_order=tuple(sorted(item_by_id, key=lambda i: item_by_id[i].number)),
    )


@functools.cache
def load_instrument(key: str) -> Instrument:
    """Return the instrument for ``key`` (parsed once, then cached)."""
    if key not in _INSTRUMENT_KEYS:
        raise UnknownInstrumentError(key, list(_INSTRUMENT_KEYS))
    return parse_instrument(_read_json(f"{key}.json"))


def list_instruments() -> list[Instrument]:
    """All shipped instruments, in a stable order."""
    return [load_instrument(k) for k in _INSTRUMENT_KEYS]


def load_raw_instrument(key: str) -> dict[str, Any]:
    """The JSON form of an instrument, for tests and documentation tools."""
    if key not in _INSTRUMENT_KEYS:
        raise UnknownInstrumentError(key, list(_INSTRUMENT_KEYS))
    data: dict[str, Any] = _read_json(f"{key}.json")
    return data
