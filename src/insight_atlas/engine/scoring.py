"""Raw scores, norm-referenced scores, bands and measurement-error intervals.

Formulas (documented in docs/ASSESSMENT.md):
  keyed value     x for plus-keyed items, 6 - x for minus-keyed items
  T               50 + 10 * (raw - mean) / sd
  percentile      100 * Phi((T - 50) / 10)
  band            low if T < 45, high if T > 55, otherwise average
  SEM (raw)       sd * sqrt(1 - alpha);  SEM (T) = 10 * sqrt(1 - alpha)
  95 % interval   score +/- 1.96 * SEM
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import NamedTuple

from .models import Instrument, NormGroup, Scale
from .report import Interval, NormInfo, ScaleScore, SectionResult, UnscoredScale, r4

BAND_LOW_BELOW_T = 45.0
BAND_HIGH_ABOVE_T = 55.0
INTERVAL_LEVEL = 0.95
INTERVAL_Z = 1.96
_SQRT2 = math.sqrt(2.0)

AGE_BANDS: tuple[tuple[int, str], ...] = ((20, "under_21"), (40, "21_40"), (60, "41_60"))
# A norms block whose default band is this uses its all-ages groups when no age is given.
ALL_AGES = "all"
AGE_BAND_LABELS = {
    "under_21": "under 21",
    "21_40": "21 to 40",
    "41_60": "41 to 60",
    "over_60": "over 60",
}


def band_for_t(t: float) -> str:
    if t < BAND_LOW_BELOW_T:
        return "low"
    if t > BAND_HIGH_ABOVE_T:
        return "high"
    return "average"


def percentile_for_t(t: float) -> float:
    return 50.0 * (1.0 + math.erf((t - 50.0) / 10.0 / _SQRT2))


def age_band(age: int) -> str:
    for upper, band in AGE_BANDS:
        if age <= upper:
            return band
    return "over_60"


def select_norm_group(
    instrument: Instrument, sex: str | None, age: int | None
) -> tuple[NormGroup | None, NormInfo]:
    """Pick the norm group for the respondent and say why it was chosen."""
    groups = instrument.norm_groups
    if not instrument.normed or not groups:
        info = NormInfo(None, None, None, "none", "This module is un-normed: raw means only.")
        return None, info
    if len(groups) == 1:
        (group,) = groups.values()
        reason = "This instrument has a single reference group; sex and age do not change it."
        return group, NormInfo(
            instrument.norms_version,
            group.id,
            group.label,
            group.status,
            reason,
            instrument.norms_sample,
            instrument.norms_caveats,
        )
    reasons: list[str] = []
    if age is None:
        band = instrument.default_age_band or "21_40"
        if band == ALL_AGES:
            reasons.append("No age given: the group of all ages is used.")
        else:
            reasons.append(
                f"No age given: the {AGE_BAND_LABELS.get(band, band)} age band is used by default."
            )
    else:
        band = age_band(age)
        reasons.append(f"Age {age} falls in the {AGE_BAND_LABELS[band]} age band.")
    if sex is None:
        gid = f"combined_{band}"
        reasons.append(
            instrument.combined_norm_reason
            or "No sex given: a combined norm (equal-weight mix of the men's and women's "
            "groups, derived by this project) is used."
        )
    else:
        gid = f"{sex}_{band}"
        reasons.append(f"Norms for {sex} respondents are used.")
    fallback = instrument.norm_fallbacks.get(gid)
    if fallback is not None:
        gid, why = fallback
        reasons.append(why)
    group = groups[gid]
    return group, NormInfo(
        instrument.norms_version,
        group.id,
        group.label,
        group.status,
        " ".join(reasons),
        instrument.norms_sample,
        instrument.norms_caveats,
    )


class _RawScale(NamedTuple):
    raw: float
    answered: int
    total: int
    prorated: bool


def _score_items(
    scale: Scale, instrument: Instrument, keyed_answers: Mapping[str, int]
) -> _RawScale | str:
    total = len(scale.items)
    values = [keyed_answers[i] for i in scale.items if i in keyed_answers]
    answered = len(values)
    missing = total - answered
    if missing > scale.max_missing_items:
        return (
            f"{missing} of {total} items unanswered; at most "
            f"{scale.max_missing_items} may be missing for this scale to be scored."
        )
    if instrument.scoring_method == "sum":
        raw = sum(values) * total / answered
    else:
        raw = sum(values) / answered
    return _RawScale(raw, answered, total, missing > 0)


def _score_components(
    scale: Scale, instrument: Instrument, scored: Mapping[str, _RawScale]
) -> _RawScale | str:
    parts = [scored[c] for c in scale.components if c in scored]
    total = len(scale.components)
    if len(parts) < scale.min_components:
        return (
            f"only {len(parts)} of {total} facets could be scored; at least "
            f"{scale.min_components} are needed to score this domain."
        )
    raw = sum(p.raw for p in parts) * total / len(parts)
    answered = sum(p.answered for p in parts)
    items_total = sum(len(instrument.scale_by_key[c].items) for c in scale.components)
    prorated = len(parts) < total or any(p.prorated for p in parts)
    return _RawScale(raw, answered, items_total, prorated)


def keyed_values(instrument: Instrument, answers: Mapping[str, int]) -> dict[str, int]:
    """Answers of this instrument after reverse keying (6 - x for minus-keyed items)."""
    out: dict[str, int] = {}
    by_id = instrument.item_by_id
    for item_id, value in answers.items():
        item = by_id.get(item_id)
        if item is not None:
            out[item_id] = 6 - value if item.keyed == "minus" else value
    return out


def score_section(
    instrument: Instrument,
    answers: Mapping[str, int],
    sex: str | None,
    age: int | None,
    keyed: Mapping[str, int] | None = None,
) -> SectionResult:
    if keyed is None:
        keyed = keyed_values(instrument, answers)
    group, norm_info = select_norm_group(instrument, sex, age)
    table = _norm_table(instrument, group) if group is not None else None
    raw_by_key: dict[str, _RawScale] = {}
    scores: list[ScaleScore] = []
    unscored: list[UnscoredScale] = []
    sum_method = instrument.scoring_method == "sum"
    # Scales are listed item-based first, composites after, so components exist.
    for scale in instrument.scales:
        result: _RawScale | str
        if scale.components:
            result = _score_components(scale, instrument, raw_by_key)
        else:
            # Inlined item scoring (the common case, ~30 times per report).
            values = [keyed[i] for i in scale.items if i in keyed]
            answered, total = len(values), len(scale.items)
            if total - answered > scale.max_missing_items:
                result = _score_items(scale, instrument, keyed)  # builds the reason
            else:
                total_keyed = sum(values)
                raw = total_keyed * total / answered if sum_method else total_keyed / answered
                result = _RawScale(raw, answered, total, answered < total)
        if isinstance(result, str):
            unscored.append(UnscoredScale(scale.key, scale.label, result))
            continue
        raw_by_key[scale.key] = result
        scores.append(_normed_score(instrument, scale, result, table))
    return SectionResult(
        instrument_key=instrument.key,
        instrument_version=instrument.version,
        title=instrument.title,
        normed=instrument.normed,
        norms=norm_info,
        scales=tuple(scores),
        unscored=tuple(unscored),
    )


@dataclass(frozen=True, slots=True)
class _NormRow:
    mean: float
    sd: float
    reliability: tuple[float, str, float, float, float, float] | None
    # (alpha, status, rounded SEM raw, rounded SEM T, 1.96*SEM raw, 1.96*SEM T)


_NORM_TABLES: dict[tuple[int, str], tuple[Instrument, dict[str, _NormRow]]] = {}


def _norm_table(instrument: Instrument, group: NormGroup) -> dict[str, _NormRow]:
    """Per-scale norm constants for one group, computed once per process."""
    cache_key = (id(instrument), group.id)
    hit = _NORM_TABLES.get(cache_key)
    if hit is not None and hit[0] is instrument:
        return hit[1]
    table: dict[str, _NormRow] = {}
    for key, norm in group.scales.items():
        rel = instrument.reliability.get(key)
        packed = None
        if rel is not None:
            root = math.sqrt(1.0 - rel.alpha)
            sem_raw, sem_t = norm.sd * root, 10.0 * root
            packed = (
                rel.alpha,
                rel.status,
                r4(sem_raw),
                r4(sem_t),
                INTERVAL_Z * sem_raw,
                INTERVAL_Z * sem_t,
            )
        table[key] = _NormRow(norm.mean, norm.sd, packed)
    # Keeping the instrument in the value keeps id() from being reused while cached.
    _NORM_TABLES[cache_key] = (instrument, table)
    return table


def _normed_score(
    instrument: Instrument, scale: Scale, raw: _RawScale, table: dict[str, _NormRow] | None
) -> ScaleScore:
    row = table.get(scale.key) if table is not None else None
    value = raw.raw
    if row is None:
        return ScaleScore(
            scale.key, scale.label, scale.kind, scale.domain, round(value, 4),
            raw.answered, raw.total, raw.prorated, None, None, None, None,
        )  # fmt: skip
    t_exact = 50.0 + 10.0 * (value - row.mean) / row.sd
    interval = None
    rel = row.reliability
    if rel is not None:
        alpha, status, sem_raw, sem_t, margin_raw, margin_t = rel
        # Positional construction: this runs ~35 times per report.
        interval = Interval(
            INTERVAL_LEVEL, alpha, status, sem_raw, sem_t,
            round(value - margin_raw, 4), round(value + margin_raw, 4),
            round(t_exact - margin_t, 2), round(t_exact + margin_t, 2),
        )  # fmt: skip
    return ScaleScore(
        scale.key, scale.label, scale.kind, scale.domain, round(value, 4),
        raw.answered, raw.total, raw.prorated, round(t_exact, 2),
        round(percentile_for_t(t_exact), 2), band_for_t(t_exact), interval,
    )  # fmt: skip
