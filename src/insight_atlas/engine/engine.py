"""The public entry point: answers in, reproducible report out.

Pure: no I/O beyond reading packaged data once, no clock, no randomness.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from .errors import AnswerError, DemographicsError, TimingError
from .models import Instrument
from .narrative import build_narrative
from .quality import validity_panel
from .registry import load_instrument
from .report import ScoredReport, SectionResult
from .scoring import (
    BAND_HIGH_ABOVE_T,
    BAND_LOW_BELOW_T,
    INTERVAL_LEVEL,
    keyed_values,
    score_section,
)
from .text_signals import analyse_text
from .validity_params import load_parameters

ENGINE_VERSION = "1.1.0"
ADDON_KEYS: tuple[str, ...] = ("work-style",)
_SEXES = ("female", "male")


def _validate_answers(known: frozenset[str], answers: Mapping[str, Any]) -> dict[str, int]:
    if not isinstance(answers, Mapping):
        raise AnswerError(message="answers must be a mapping of item id to an integer 1..5")
    clean: dict[str, int] = {}
    unknown: list[str] = []
    invalid: dict[str, object] = {}
    for k, v in answers.items():
        if k not in known:
            unknown.append(str(k))
        elif type(v) is not int or not 1 <= v <= 5:
            invalid[str(k)] = v
        else:
            clean[k] = v
    if unknown or invalid:
        raise AnswerError(unknown_item_ids=unknown, invalid_values=invalid)
    return clean


_KNOWN_IDS: dict[tuple[int, ...], tuple[tuple[Instrument, ...], frozenset[str]]] = {}


def _known_item_ids(instruments: tuple[Instrument, ...]) -> frozenset[str]:
    """Union of item ids, cached per instrument combination (ids kept alive in the value)."""
    cache_key = tuple(id(i) for i in instruments)
    hit = _KNOWN_IDS.get(cache_key)
    if hit is not None and all(a is b for a, b in zip(hit[0], instruments, strict=True)):
        return hit[1]
    known = frozenset(item_id for inst in instruments for item_id in inst.item_by_id)
    _KNOWN_IDS[cache_key] = (instruments, known)
    return known


def _validate_demographics(
    demographics: Mapping[str, Any] | None,
) -> tuple[str | None, int | None]:
    if demographics is None:
        return None, None
    if not isinstance(demographics, Mapping):
        raise DemographicsError("demographics must be a mapping with optional 'sex' and 'age'")
    extra = sorted(set(demographics) - {"sex", "age"})
    if extra:
        raise DemographicsError(f"unknown demographics fields: {', '.join(extra)}")
    sex = demographics.get("sex")
    age = demographics.get("age")
    if sex is not None and sex not in _SEXES:
        raise DemographicsError(f"sex must be one of {_SEXES} or omitted, not {sex!r}")
    if age is not None and (type(age) is not int or not 10 <= age <= 120):
        raise DemographicsError(f"age must be an integer between 10 and 120, not {age!r}")
    return sex, age


def _normalise_timings(
    timings: Mapping[str, Any] | None, answers: Mapping[str, int]
) -> dict[str, float] | None:
    """Per-item seconds. Page timings are spread evenly over the page's items."""
    if timings is None:
        return None
    if not isinstance(timings, Mapping):
        raise TimingError("timings must be a mapping")
    out: dict[str, float] = {}
    for key, value in timings.items():
        if key == "pages":
            if not isinstance(value, list):
                raise TimingError("timings.pages must be a list of {item_ids, seconds}")
            for page in value:
                ids = page.get("item_ids") if isinstance(page, Mapping) else None
                secs = page.get("seconds") if isinstance(page, Mapping) else None
                if not isinstance(ids, list) or not ids or not _is_seconds(secs):
                    raise TimingError(
                        "each page needs a non-empty item_ids list and finite seconds >= 0"
                    )
                per_item = float(secs or 0) / len(ids)
                for item_id in ids:
                    out[str(item_id)] = per_item
        elif _is_seconds(value):
            out[key] = float(value)
        else:
            raise TimingError(f"timing for {key!r} must be a finite number of seconds >= 0")
    stray = sorted(k for k in out if k not in answers)
    if stray:
        raise TimingError(f"timings given for unanswered or unknown items: {', '.join(stray)}")
    return out


def _is_seconds(value: Any) -> bool:
    # NaN fails `>= 0` by itself; infinity would not.
    return type(value) in (int, float) and 0 <= value < math.inf


def score(
    instrument: str | Instrument,
    answers: Mapping[str, int],
    *,
    demographics: Mapping[str, Any] | None = None,
    timings: Mapping[str, Any] | None = None,
    free_text: str | None = None,
) -> ScoredReport:
    """Score ``answers`` on ``instrument`` and return a typed, explainable report.

    Answers for the work-style add-on may be mixed into the answers of a Big Five
    instrument; its scales then appear under ``addons`` in the report.
    """
    main = load_instrument(instrument) if isinstance(instrument, str) else instrument
    addons = [load_instrument(k) for k in ADDON_KEYS if k != main.key]
    clean = _validate_answers(_known_item_ids((main, *addons)), answers)
    sex, age = _validate_demographics(demographics)
    per_item_timings = _normalise_timings(timings, clean)
    text_signals = analyse_text(free_text) if free_text is not None else None

    keyed = keyed_values(main, clean)
    section = score_section(main, clean, sex, age, keyed)
    addon_sections: list[tuple[Instrument, SectionResult]] = []
    for addon in addons:
        if not addon.item_by_id.keys().isdisjoint(clean):
            addon_keyed = keyed_values(addon, clean)
            addon_sections.append((addon, score_section(addon, clean, sex, age, addon_keyed)))
            keyed.update(addon_keyed)
    panel = validity_panel(main, clean, per_item_timings)
    narrative_version, statements = build_narrative(
        main, section, tuple(addon_sections), keyed, panel
    )
    citations: dict[str, str] = {}
    for inst in (main, *(a for a, _ in addon_sections)):
        citations.update(inst.citations)
    validity_parameters = load_parameters(main.key)
    if validity_parameters is not None:
        citations.update(validity_parameters.citations)
    demo: list[tuple[str, Any]] = []
    if sex is not None:
        demo.append(("sex", sex))
    if age is not None:
        demo.append(("age", age))
    return ScoredReport(
        engine_version=ENGINE_VERSION,
        main=section,
        addons=tuple(s for _, s in addon_sections),
        answers=tuple(sorted(clean.items())),
        demographics=tuple(demo),
        validity=panel,
        text_signals=text_signals,
        narrative=statements,
        narrative_version=narrative_version,
        method=(
            ("band_cutoffs", {"low_below_t": BAND_LOW_BELOW_T, "high_above_t": BAND_HIGH_ABOVE_T}),
            ("interval_level", INTERVAL_LEVEL),
            ("pro_rating", main.pro_rating_rule),
            ("scoring", main.scoring_method),
            ("combined_norm_rule", main.combined_norm_rule),
        ),
        citations=tuple(sorted(citations.items())),
    )
