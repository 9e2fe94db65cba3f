"""Norms and reliabilities derived from the open IPIP Big-Five item-level data set.

The data set (the Open-Source Psychometrics Project's "BIG5" answers to Goldberg's 50
Big-Five factor markers) is not shipped; ``tools/derive_norms.py`` reads it and writes the
numbers computed here into an instrument's ``norms`` and ``reliability`` blocks, and
``tests/engine/test_derived_norms.py`` re-derives them from the same file.

Pure: rows in, a JSON-ready block out. All sums are over integers (keyed answers and
their squares), so the statistics do not depend on summation order and the output is
byte-for-byte reproducible.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import statistics
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from .models import Instrument
from .scoring import AGE_BAND_LABELS, AGE_BANDS, ALL_AGES, age_band

# Data column letters in the order the 50 markers cycle through the factors: published
# item n is column <letter><k> with n = 5 * (k - 1) + position of the letter (1-based).
FACTOR_CYCLE = "EACNO"
MIN_BAND_N = 300
AGE_MIN, AGE_MAX = 13, 100
MEAN_DECIMALS = 4
ALPHA_DECIMALS = 3

NORMS_VERSIONS = {"mini-ipip": "mini-ipip-open-big5.1", "ipip-50": "ipip-50-open-big5.1"}
DATA_CITATION_KEY = "open_big5_data"
DATA_CITATION = (
    'Open-Source Psychometrics Project, "Answers to the IPIP Big-Five Factor Markers" (BIG5),'
    " openpsychometrics.org, accessed via the `frequency` R package 0.4.1."
)
CAVEATS: tuple[str, ...] = (
    "Open online volunteer sample (collected around 2012; median age in the early twenties,"
    " many respondents from the US), not a representative population sample.",
    "The sample answered on an agree/disagree scale (1 Disagree ... 5 Agree), not this"
    " questionnaire's 'Very Inaccurate ... Very Accurate' scale.",
    "The sample saw the statements in the first person ('I am the life of the party').",
    "These are reference values derived by this project from open data, not published norms.",
)
CLEANING_RULES: tuple[str, ...] = (
    "A row is used only if every item of this questionnaire is answered (the data set codes"
    " a missed item as 0).",
    f"Ages outside {AGE_MIN}-{AGE_MAX} are treated as unknown: such rows count in the"
    " all-ages groups only.",
    "Gender 1 = men, 2 = women; rows with gender 3 (other) or 0 (missed) count only in the"
    " combined groups.",
    f"An age band gets its own group only with N >= {MIN_BAND_N}; otherwise the all-ages"
    " group of the same sex is used, and the report says so.",
    "Answers are reverse-keyed as the questionnaire keys them (6 - x); means and SDs are on"
    " the questionnaire's own raw-score metric; SD uses n - 1; alpha is Cronbach's alpha.",
)
COMBINED_RULE = (
    "The combined groups are computed from every usable row of the open sample, including"
    " respondents who gave another or no gender; they are not a mixture of the men's and"
    " women's groups."
)
COMBINED_REASON = (
    "No sex given: the combined group of the open sample (men, women and respondents who"
    " gave another or no gender) is used."
)
# (sex, gender code in the data, words for the group's respondents)
_SEXES: tuple[tuple[str, str, str], ...] = (
    ("male", "1", "men"),
    ("female", "2", "women"),
    ("combined", "", "respondents"),
)


class DerivationError(ValueError):
    """The data file does not fit the instrument (missing columns, unmatched items)."""


def column_for_item_number(number: int) -> str:
    """The data column of published IPIP-50 item ``number`` (1 -> E1, 2 -> A1, 50 -> O10)."""
    if not 1 <= number <= 50:
        raise DerivationError(f"IPIP-50 has items 1-50, not {number}")
    k, f = divmod(number - 1, 5)
    return f"{FACTOR_CYCLE[f]}{k + 1}"


def item_columns(instrument: Instrument, ipip50: Instrument) -> dict[str, str]:
    """Item id -> data column. IPIP-50 maps by item number; any other instrument by text.

    Matching by text means a Mini-IPIP item is tied to the column of the marker with the
    very same wording, so a mistyped mapping table cannot slip in.
    """
    by_text = {it.text: column_for_item_number(it.number) for it in ipip50.items}
    out: dict[str, str] = {}
    for item in instrument.items:
        if instrument.key == ipip50.key:
            out[item.id] = column_for_item_number(item.number)
        elif item.text in by_text:
            out[item.id] = by_text[item.text]
        else:
            raise DerivationError(f"{item.id} {item.text!r} is not one of the 50 IPIP markers")
    return out


@dataclass(slots=True)
class _Moments:
    """Exact integer sums for one group: per item and per scale total (in a fixed order)."""

    item_ids: tuple[str, ...]
    scale_keys: tuple[str, ...]
    n: int = 0
    item_sum: list[int] = field(default_factory=list)
    item_sq: list[int] = field(default_factory=list)
    total_sum: list[int] = field(default_factory=list)
    total_sq: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.item_sum = [0] * len(self.item_ids)
        self.item_sq = [0] * len(self.item_ids)
        self.total_sum = [0] * len(self.scale_keys)
        self.total_sq = [0] * len(self.scale_keys)

    def add(self, keyed: list[int], totals: list[int]) -> None:
        self.n += 1
        for i, x in enumerate(keyed):
            self.item_sum[i] += x
            self.item_sq[i] += x * x
        for j, t in enumerate(totals):
            self.total_sum[j] += t
            self.total_sq[j] += t * t

    def merge(self, other: _Moments) -> None:
        self.n += other.n
        for mine, theirs in (
            (self.item_sum, other.item_sum),
            (self.item_sq, other.item_sq),
            (self.total_sum, other.total_sum),
            (self.total_sq, other.total_sq),
        ):
            for i, value in enumerate(theirs):
                mine[i] += value

    def item(self, item_id: str) -> tuple[int, int]:
        i = self.item_ids.index(item_id)
        return self.item_sum[i], self.item_sq[i]

    def total(self, scale_key: str) -> tuple[int, int]:
        j = self.scale_keys.index(scale_key)
        return self.total_sum[j], self.total_sq[j]


def _variance(n: int, s1: int, s2: int) -> Fraction:
    return Fraction(n * s2 - s1 * s1, n * (n - 1))


def _scale_stats(instrument: Instrument, m: _Moments, scale_key: str) -> dict[str, float | int]:
    scale = instrument.scale_by_key[scale_key]
    k = len(scale.items)
    # The raw score is the keyed sum ("sum") or that sum divided by k ("mean").
    divisor = k if instrument.scoring_method == "mean" else 1
    if m.n < 2:
        raise DerivationError(f"scale {scale_key}: a group needs at least 2 rows, has {m.n}")
    total_sum, total_sq = m.total(scale_key)
    mean = Fraction(total_sum, m.n * divisor)
    total_var = _variance(m.n, total_sum, total_sq)
    if total_var == 0:
        raise DerivationError(f"scale {scale_key}: every row of a group has the same score")
    sd = float(total_var) ** 0.5 / divisor
    item_var = sum(_variance(m.n, *m.item(i)) for i in scale.items)
    alpha = Fraction(k, k - 1) * (1 - item_var / total_var)
    return {
        "alpha": round(float(alpha), ALPHA_DECIMALS),
        "mean": round(float(mean), MEAN_DECIMALS),
        "sd": round(sd, MEAN_DECIMALS),
    }


def _clean_age(raw: str) -> int | None:
    try:
        age = int(raw)
    except ValueError:
        return None
    return age if AGE_MIN <= age <= AGE_MAX else None


def _group_label(sex_words: str, band: str) -> str:
    if sex_words == "respondents":
        sex_words = "all respondents"
    if band == ALL_AGES:
        return f"{sex_words}, all ages (open sample)"
    return f"{sex_words} aged {AGE_BAND_LABELS[band]} (open sample)"


def _bands() -> list[str]:
    return [ALL_AGES, *(band for _, band in AGE_BANDS), "over_60"]


def derive(
    instrument: Instrument,
    ipip50: Instrument,
    rows: Iterable[Mapping[str, str]],
    *,
    data_sha256: str,
    data_rows: int,
    version: str,
) -> dict[str, Any]:
    """The instrument's norms block and reliability block derived from ``rows``.

    Returns ``{"norms": {...}, "reliability": {...}}``, both ready for ``json.dumps``.
    """
    columns = item_columns(instrument, ipip50)
    item_scales = [s for s in instrument.scales if s.items and not s.components]
    if len(item_scales) != len(instrument.scales):
        raise DerivationError(f"{instrument.key}: only item-based scales can be derived")
    item_ids = tuple(columns)
    scale_keys = tuple(s.key for s in item_scales)
    item_columns_in_order = [columns[i] for i in item_ids]
    minus = [instrument.item_by_id[i].keyed == "minus" for i in item_ids]
    positions = [[item_ids.index(i) for i in s.items] for s in item_scales]
    # Each row goes to one cell (gender code, age band or None); groups are sums of cells.
    cells: dict[tuple[str, str | None], _Moments] = {}
    used = 0
    all_ages: list[int] = []
    for row in rows:
        try:
            answers = [int(row[col]) for col in item_columns_in_order]
        except KeyError as exc:
            raise DerivationError(f"data file has no column {exc.args[0]!r}") from exc
        if any(not 1 <= x <= 5 for x in answers):
            continue  # 0 = missed: incomplete rows are dropped
        keyed = [6 - x if rev else x for x, rev in zip(answers, minus, strict=True)]
        totals = [sum(keyed[p] for p in scale_positions) for scale_positions in positions]
        age = _clean_age(row.get("age", ""))
        used += 1
        if age is not None:
            all_ages.append(age)
        gender = row.get("gender", "")
        cell_key = (
            gender if gender in ("1", "2") else "other",
            age_band(age) if age is not None else None,
        )
        cell = cells.get(cell_key)
        if cell is None:
            cell = cells[cell_key] = _Moments(item_ids, scale_keys)
        cell.add(keyed, totals)
    if used < MIN_BAND_N:
        raise DerivationError(f"only {used} usable rows; at least {MIN_BAND_N} are needed")
    groups: dict[tuple[str, str], _Moments] = {}
    for sex, code, _ in _SEXES:
        for band in _bands():
            group = groups[(sex, band)] = _Moments(item_ids, scale_keys)
            for (cell_gender, cell_band), cell in sorted(cells.items(), key=str):
                if code and cell_gender != code:
                    continue
                if band != ALL_AGES and cell_band != band:
                    continue
                group.merge(cell)

    out_groups: dict[str, Any] = {}
    fallbacks: dict[str, Any] = {}
    for sex, _, words in _SEXES:
        for band in _bands():
            m = groups[(sex, band)]
            gid = f"{sex}_{band}"
            if band != ALL_AGES and m.n < MIN_BAND_N:
                fallbacks[gid] = {
                    "group": f"{sex}_{ALL_AGES}",
                    "n": m.n,
                    "reason": (
                        f"The open sample has only {m.n} {words} aged {AGE_BAND_LABELS[band]}"
                        f" (fewer than {MIN_BAND_N}), so the all-ages group of {words} is"
                        " used instead."
                    ),
                }
                continue
            out_groups[gid] = {
                "label": _group_label(words, band),
                "sex": None if sex == "combined" else sex,
                "age_band": None if band == ALL_AGES else band,
                "status": "derived",
                "n": m.n,
                "scales": {s.key: _scale_stats(instrument, m, s.key) for s in item_scales},
            }
    combined = groups[("combined", ALL_AGES)]
    median_age = statistics.median(all_ages) if all_ages else None
    sample = (
        f"open online volunteer sample, N = {used:,}, median age "
        f"{_format_age(median_age)} ({len(all_ages):,} with an age of "
        f"{AGE_MIN}-{AGE_MAX})"
    )
    norms = {
        "version": version,
        "citation": DATA_CITATION_KEY,
        "status": "derived",
        "source": {
            "citation": DATA_CITATION,
            "file": "big5.tsv",
            "sha256": data_sha256,
            "rows_in_file": data_rows,
            "rows_used": used,
        },
        "sample": sample,
        "caveats": list(CAVEATS),
        "cleaning_rules": list(CLEANING_RULES),
        "derivation": (
            f"python tools/derive_norms.py big5.tsv --instrument {instrument.key} --write"
        ),
        "metric": _metric(instrument),
        "item_columns": dict(sorted(columns.items())),
        "combined_rule": COMBINED_RULE,
        "combined_reason": COMBINED_REASON,
        "default_age_band": ALL_AGES,
        "min_band_n": MIN_BAND_N,
        "fallbacks": fallbacks,
        "groups": out_groups,
    }
    combined_stats = out_groups["combined_all"]["scales"]
    reliability = {
        s.key: {
            "alpha": combined_stats[s.key]["alpha"],
            "status": "derived",
            "citation": DATA_CITATION_KEY,
            "note": (
                f"Cronbach's alpha derived from the open sample (all respondents,"
                f" N = {combined.n:,})."
            ),
        }
        for s in item_scales
    }
    return {"norms": _sorted(norms), "reliability": reliability}


def _metric(instrument: Instrument) -> str:
    if instrument.scoring_method == "mean":
        return "mean of the keyed items (1-5)"
    return "sum of the keyed items"


def _format_age(age: float | None) -> str:
    if age is None:
        return "unknown"
    return str(int(age)) if float(age).is_integer() else f"{age:.1f}"


def _sorted(value: Any) -> Any:
    """Mappings with sorted keys, recursively (lists keep their order)."""
    if isinstance(value, Mapping):
        return {k: _sorted(value[k]) for k in sorted(value)}
    if isinstance(value, list):
        return [_sorted(v) for v in value]
    return value


def apply(raw_instrument: dict[str, Any], derived: Mapping[str, Any]) -> dict[str, Any]:
    """The instrument JSON with the derived norms, reliability and data citation in place."""
    updated = dict(raw_instrument)
    updated["norms"] = derived["norms"]
    reliability = {k: dict(v) for k, v in derived["reliability"].items()}
    # A published alpha the derived one replaces stays on record beside it.
    for key, old in raw_instrument.get("reliability", {}).items():
        if key in reliability and old.get("status") == "published":
            reliability[key]["published_alpha"] = old["alpha"]
            reliability[key]["published_citation"] = old.get("citation")
        elif key in reliability and "published_alpha" in old:
            reliability[key]["published_alpha"] = old["published_alpha"]
            reliability[key]["published_citation"] = old.get("published_citation")
    updated["reliability"] = reliability
    updated["citations"] = {**raw_instrument["citations"], DATA_CITATION_KEY: DATA_CITATION}
    return updated


def parse_tsv(content: bytes) -> list[dict[str, str]]:
    """Rows of the tab-separated data file (header row first)."""
    return list(csv.DictReader(io.StringIO(content.decode("utf-8")), delimiter="\t"))


def derive_from_file(instrument: Instrument, ipip50: Instrument, content: bytes) -> dict[str, Any]:
    """``derive`` on the raw bytes of ``big5.tsv`` (hashed, then parsed)."""
    rows = parse_tsv(content)
    return derive(
        instrument,
        ipip50,
        rows,
        data_sha256=hashlib.sha256(content).hexdigest(),
        data_rows=len(rows),
        version=NORMS_VERSIONS[instrument.key],
    )


def instrument_json(raw_instrument: Mapping[str, Any]) -> str:
    """The instrument file's text, in the layout of the shipped files."""
    return json.dumps(raw_instrument, indent=1, ensure_ascii=False)
