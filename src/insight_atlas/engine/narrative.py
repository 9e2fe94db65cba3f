"""Cautious narrative statements built from data templates.

Each statement names the scales and items it rests on. A guard rejects any
template or generated sentence that uses diagnostic language or states a
certainty; templates are checked once when first loaded.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from importlib import resources
from typing import Any

from .models import Instrument
from .report import ScaleScore, SectionResult, Statement, ValidityPanel

EVIDENCE_ITEMS = 3
FACET_STANDOUT_T = 10.0  # a facet must sit at least 1 SD from its domain to be singled out


@dataclass(frozen=True, slots=True)
class Templates:
    version: str
    raw: dict[str, Any]
    forbidden: re.Pattern[str]
    certainty: re.Pattern[str]
    hedges: re.Pattern[str]


def _alternation(terms: list[str], *, prefix: bool) -> re.Pattern[str]:
    body = "|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True))
    tail = r"" if prefix else r"\b"
    return re.compile(rf"\b(?:{body}){tail}", re.IGNORECASE)


def guard_violations(text: str, templates: Templates | None = None) -> list[str]:
    """Problems with ``text``: diagnostic terms, certainty claims, or missing hedging."""
    t = templates or load_templates()
    problems = [f"forbidden term {m.group(0)!r}" for m in t.forbidden.finditer(text)]
    problems += [f"certainty term {m.group(0)!r}" for m in t.certainty.finditer(text)]
    if not t.hedges.search(text):
        problems.append("no hedging marker (may / might / tends to / could / perhaps)")
    return problems


def _all_template_texts(raw: dict[str, Any]) -> list[str]:
    texts = [raw["facet_statement"]["text"]]
    for entry in raw["big_five"].values():
        for band in entry.values():
            texts += [s["text"] for s in band]
    for entry in raw["workstyle"]["scales"].values():
        texts += [s["text"] for s in entry.values()]
    texts += [n["text"] for n in raw["validity_notes"].values()]
    return texts


@functools.cache
def load_templates() -> Templates:
    text = resources.files(__package__).joinpath("resources").joinpath("narrative_templates.json")
    raw: dict[str, Any] = json.loads(text.read_text("utf-8"))
    templates = Templates(
        version=raw["version"],
        raw=raw,
        forbidden=_alternation(raw["forbidden_terms"], prefix=True),
        certainty=_alternation(raw["certainty_terms"], prefix=False),
        hedges=_alternation(raw["hedge_markers"], prefix=False),
    )
    names = list(raw["domain_names"].values()) + list(raw["facet_names"].values())
    for candidate in _all_template_texts(raw) + names:
        bad = [p for p in guard_violations(candidate, templates) if not p.startswith("no hedging")]
        if bad:
            raise ValueError(f"narrative template fails the guard: {candidate!r}: {bad}")
    return templates


_SCALE_ITEMS: dict[tuple[int, str], tuple[Instrument, tuple[str, ...], dict[str, int]]] = {}


def _scale_items(instrument: Instrument, scale_key: str) -> tuple[tuple[str, ...], dict[str, int]]:
    """Item ids under a scale (through its components) and their item numbers, cached."""
    cache_key = (id(instrument), scale_key)
    hit = _SCALE_ITEMS.get(cache_key)
    if hit is not None and hit[0] is instrument:
        return hit[1], hit[2]
    scale = instrument.scale_by_key[scale_key]
    item_ids: list[str] = list(scale.items)
    for component in scale.components:
        item_ids += instrument.scale_by_key[component].items
    order = {i: instrument.item_by_id[i].number for i in item_ids}
    _SCALE_ITEMS[cache_key] = (instrument, tuple(item_ids), order)
    return tuple(item_ids), order


def _evidence_items(
    instrument: Instrument, scale_key: str, keyed: dict[str, int], band: str
) -> tuple[str, ...]:
    item_ids, order = _scale_items(instrument, scale_key)
    answered = [i for i in item_ids if i in keyed]
    if band == "high":
        answered.sort(key=lambda i: (-keyed[i], order[i]))
    elif band == "low":
        answered.sort(key=lambda i: (keyed[i], order[i]))
    else:
        answered.sort(key=lambda i: (abs(keyed[i] - 3), order[i]))
    return tuple(answered[:EVIDENCE_ITEMS])


@functools.lru_cache(maxsize=256)
def _band_statements(scale_key: str, band: str) -> tuple[tuple[str, str], ...]:
    """(kind, text) of the band templates for a Big Five scale, formatted once."""
    raw = load_templates().raw
    label = raw["domain_names"][scale_key]
    entry = raw["big_five"][_template_key(scale_key)]
    return tuple((tpl["kind"], tpl["text"].format(label=label)) for tpl in entry[band])


def _template_key(scale_key: str) -> str:
    return "O" if scale_key == "I" else scale_key


def _facet_statement(
    t: Templates,
    instrument: Instrument,
    domain: ScaleScore,
    facets: list[ScaleScore],
    keyed: dict[str, int],
) -> Statement | None:
    dt = domain.t
    if dt is None:
        return None
    scored = [(f, f.t) for f in facets if f.t is not None]
    if not scored:
        return None
    standout, st = max(scored, key=lambda ft: (abs(ft[1] - dt), ft[0].key))
    gap = st - dt
    if abs(gap) < FACET_STANDOUT_T:
        return None
    raw = t.raw
    text = raw["facet_statement"]["text"].format(
        domain=raw["domain_names"][domain.key],
        facet=raw["facet_names"][standout.key],
        direction="higher" if gap > 0 else "lower",
    )
    band = "high" if gap > 0 else "low"
    items = _evidence_items(instrument, standout.key, keyed, band)
    return Statement(raw["facet_statement"]["kind"], text, (standout.key, domain.key), items)


def build_narrative(
    instrument: Instrument,
    section: SectionResult,
    addons: tuple[tuple[Instrument, SectionResult], ...],
    keyed: dict[str, int],
    validity: ValidityPanel,
) -> tuple[str, tuple[Statement, ...]]:
    t = load_templates()
    raw = t.raw
    out: list[Statement] = []
    note = raw["validity_notes"].get(validity.overall)
    if note is not None:
        # The note names what was seen: the detail of the first index behind the verdict.
        behind = [i for i in validity.indices if i.verdict == validity.overall]
        detail = behind[0].detail if behind else ""
        out.append(Statement(note["kind"], note["text"].format(detail=detail), (), ()))
    by_parent: dict[str, list[ScaleScore]] = {}
    for s in section.scales:
        if s.parent is not None:
            by_parent.setdefault(s.parent, []).append(s)
    for s in section.scales:
        if s.kind not in ("domain", "trait") or s.band is None:
            continue
        entry = raw["big_five"].get(_template_key(s.key))
        if entry is None:
            continue
        items = _evidence_items(instrument, s.key, keyed, s.band)
        for kind, text in _band_statements(s.key, s.band):
            out.append(Statement(kind, text, (s.key,), items))
        facet_stmt = _facet_statement(t, instrument, s, by_parent.get(s.key, []), keyed)
        if facet_stmt is not None:
            out.append(facet_stmt)
    ws = raw["workstyle"]
    for addon_instrument, addon in ((instrument, section), *addons):
        for s in addon.scales:
            if s.kind != "workstyle":
                continue
            if s.raw >= ws["high_at_or_above"]:
                lean = "high"
            elif s.raw <= ws["low_at_or_below"]:
                lean = "low"
            else:
                continue
            tpl = ws["scales"][s.key][lean]
            items = _evidence_items(addon_instrument, s.key, keyed, lean)
            out.append(Statement(tpl["kind"], tpl["text"], (s.key,), items))
    # The guard runs on every generated sentence as well as on the templates.
    return t.version, tuple(st for st in out if _passes_guard(st.text))


@functools.lru_cache(maxsize=4096)
def _passes_guard(text: str) -> bool:
    # Generated sentences come from a small finite set (templates x labels), so
    # caching the verdict per sentence keeps the guard out of the hot path.
    return not guard_violations(text)
