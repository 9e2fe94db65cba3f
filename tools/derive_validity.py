"""Derive the validity panel's parameters for one instrument.

    .venv/bin/python tools/derive_validity.py DATA.tsv --instrument mini-ipip [--write]
    .venv/bin/python tools/derive_validity.py DATA.tsv --instrument ipip-50 [--write]
    .venv/bin/python tools/derive_validity.py --instrument ipip-neo-120 [--write]

With an open item-level sample (the IPIP 50-item Big-Five markers file, see
its README): rows with any of the instrument's items missing (0) are dropped;
the complete rows at even positions (0, 2, 4, ... in file order) are the
derivation half and the odd positions are held out for bench/validity.py. From
the derivation half come the item means, the covariance matrix, the
empirical synonym/antonym pairs, and each index's reference distribution and
threshold. Without a sample (``--instrument ipip-neo-120``) the reference is a
seeded simulation of attentive respondents (tools/validity_sim.py), and the
synonym/antonym pairs are the content-based ones of the instrument file.

Prints a summary; ``--write`` writes src/insight_atlas/engine/validity/<key>.json.
The output is byte-for-byte reproducible: no dates, fixed rounding, stable order.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from insight_atlas.engine import Instrument, UnknownInstrumentError, load_instrument  # noqa: E402
from insight_atlas.engine import consistency as ix  # noqa: E402
from validity_sim import CONSERVATIVE, latent_answers, uniform_answers  # noqa: E402

OUT_DIR = ROOT / "src" / "insight_atlas" / "engine" / "validity"
FORMAT = 1
TAIL = 0.0025  # share of the reference flagged by each consistency index
PAIR_MIN_ABS_R = 0.40  # an empirical synonym/antonym pair correlates at least this strongly
# Mahalanobis alone should flag this share of uniformly random responders: the
# benchmark's target (80% for a 20-item form, 90% otherwise) plus a margin of 3
# points; the threshold is then the highest reference percentile that reaches it.
RANDOM_DETECTION_GOAL_SHORT = 0.83
RANDOM_DETECTION_GOAL = 0.93
RANDOM_ROWS = 2000
SIMULATED_ROWS = 4000
SEED = 20260101
DATA_CITATION = (
    'Open-Source Psychometrics Project, "Answers to the IPIP Big-Five Factor Markers" '
    "(BIG5; online volunteers, about 2012), openpsychometrics.org _rawdata, accessed via "
    "the frequency R package 0.4.1 (data-raw/big5_rawdata.csv)."
)
CITATIONS = {
    "johnson2005": "Johnson, J. A. (2005). Ascertaining the validity of individual protocols "
    "from Web-based personality inventories. Journal of Research in Personality, 39(1), "
    "103-129.",
    "meade_craig2012": "Meade, A. W., & Craig, S. B. (2012). Identifying careless responses "
    "in survey data. Psychological Methods, 17(3), 437-455.",
    "curran2016": "Curran, P. G. (2016). Methods for the detection of carelessly invalid "
    "responses in survey data. Journal of Experimental Social Psychology, 66, 4-19.",
    "marjanovic2015": "Marjanovic, Z., Holden, R., Struthers, W., Cribbie, R., & Greenglass, "
    "E. (2015). The inter-item standard deviation (ISD): An index that discriminates between "
    "conscientious and random responders. Personality and Individual Differences, 84, 79-83.",
}

# Mini-IPIP items (Donnellan et al., 2006) in the 50-item markers file; checked
# against the item texts of instruments/mini-ipip.json (see docs/ASSESSMENT.md).
MINI_IPIP_COLUMNS = {
    "mini-01": "E1", "mini-02": "A4", "mini-03": "C5", "mini-04": "N8", "mini-05": "O3",
    "mini-06": "E2", "mini-07": "A5", "mini-08": "C6", "mini-09": "N2", "mini-10": "O4",
    "mini-11": "E7", "mini-12": "A9", "mini-13": "C7", "mini-14": "N6", "mini-15": "O2",
    "mini-16": "E4", "mini-17": "A7", "mini-18": "C4", "mini-19": "N4", "mini-20": "O6",
}  # fmt: skip
# Goldberg's 50 markers in the IPIP site's published order: item 5*(k-1)+f is
# column Xk, with f = 1 for E, 2 for A, 3 for C, 4 for N (Emotional Stability in
# the published key; the file's N columns), 5 for O (Intellect/Imagination).
_IPIP50_FACTOR = {"E": 1, "A": 2, "C": 3, "N": 4, "O": 5}


def ipip50_columns() -> dict[str, str]:
    return {
        f"ipip50-{5 * (k - 1) + f:02d}": f"{trait}{k}"
        for trait, f in _IPIP50_FACTOR.items()
        for k in range(1, 11)
    }


BUILT_IN_COLUMNS: dict[str, Callable[[], dict[str, str]]] = {
    "mini-ipip": lambda: dict(MINI_IPIP_COLUMNS),
    "ipip-50": ipip50_columns,
}


# --- small statistics helpers (pure Python, deterministic) ----------------------------


def quantile(sorted_values: Sequence[float], q: float) -> float:
    """Linear interpolation between order statistics (type 7, as numpy's default)."""
    h = (len(sorted_values) - 1) * q
    lo = math.floor(h)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (h - lo) * (sorted_values[hi] - sorted_values[lo])


def r4(x: float) -> float:
    return round(x, 4)


def covariance(rows: Sequence[Sequence[int]]) -> tuple[list[float], list[list[float]]]:
    n, k = len(rows), len(rows[0])
    mean = [sum(r[j] for r in rows) / n for j in range(k)]
    acc = [[0.0] * k for _ in range(k)]
    for r in rows:
        d = [r[j] - mean[j] for j in range(k)]
        for i in range(k):
            di, row = d[i], acc[i]
            for j in range(i, k):
                row[j] += di * d[j]
    cov = [[0.0] * k for _ in range(k)]
    for i in range(k):
        for j in range(i, k):
            cov[i][j] = cov[j][i] = acc[i][j] / (n - 1)
    return mean, cov


def tail_rule(values: Sequence[float | None], direction: str, q: float) -> dict[str, Any]:
    """Threshold at the reference's ``q`` quantile, the share beyond it and 101 percentiles."""
    defined = sorted(v for v in values if v is not None)
    threshold = r4(quantile(defined, q))
    if direction == "below":
        beyond = sum(1 for v in defined if v < threshold)
    else:
        beyond = sum(1 for v in defined if v > threshold)
    rule: dict[str, Any] = {f"caution_{direction}": threshold}
    rule["reference_share_flagged"] = round(100 * beyond / len(defined), 2)
    rule["reference_n"] = len(defined)
    rule["percentiles"] = [r4(quantile(defined, p / 100)) for p in range(101)]
    return rule


# --- the derivation ---------------------------------------------------------------------


def leaf_scales(instrument: Instrument) -> list[tuple[str, list[str]]]:
    """Scales that list items (facets, or traits of a short form), items in order."""
    number = {i.id: i.number for i in instrument.items}
    return [(s.key, sorted(s.items, key=number.__getitem__)) for s in instrument.scales if s.items]


def read_sample(
    path: Path, columns: dict[str, str], items: Sequence[str]
) -> tuple[int, list[list[int]]]:
    """(rows in the file, complete rows as answer vectors in ``items`` order)."""
    lines = path.read_text("utf-8").splitlines()
    header = lines[0].split("\t")
    missing = sorted({columns[i] for i in items} - set(header))
    if missing:
        raise SystemExit(f"columns not in {path}: {', '.join(missing)}")
    idx = [header.index(columns[i]) for i in items]
    complete: list[list[int]] = []
    for line in lines[1:]:
        cells = line.split("\t")
        row = [int(cells[j]) for j in idx]
        if all(1 <= v <= 5 for v in row):
            complete.append(row)
    return len(lines) - 1, complete


def index_values(
    instrument: Instrument, doc: dict[str, Any], rows: Sequence[Sequence[int]]
) -> dict[str, list[float | None]]:
    """Each index on each row, computed by the engine's own functions."""
    items: list[str] = doc["items"]
    minus = {i.id for i in instrument.items if i.keyed == "minus"}
    indices = doc["indices"]
    syn = [(a, b) for a, b, _ in indices["synonym_consistency"]["pairs"]]
    ant = [(a, b) for a, b, _ in indices["antonym_consistency"]["pairs"]]
    scales = [s for _, s in indices["even_odd"]["scales"]]
    maha = indices.get("mahalanobis")
    inverse = ix.invert(maha["covariance"]) if maha else None
    means = indices["person_total"]["item_means"] if "person_total" in indices else None
    out: dict[str, list[float | None]] = {
        k: []
        for k in (
            "synonym_consistency",
            "antonym_consistency",
            "even_odd",
            "person_total",
            "mahalanobis",
            "inter_item_sd",
            "irv",
        )
    }
    for row in rows:
        answers = dict(zip(items, row, strict=True))
        keyed = {i: 6 - v if i in minus else v for i, v in answers.items()}
        out["synonym_consistency"].append(ix.pair_correlation(syn, answers))
        out["antonym_consistency"].append(ix.pair_correlation(ant, answers))
        out["even_odd"].append(ix.even_odd(scales, keyed))
        out["inter_item_sd"].append(ix.inter_item_sd(scales, keyed))
        out["person_total"].append(ix.person_total(means, list(row)) if means else None)
        out["mahalanobis"].append(
            ix.mahalanobis(maha["mean"], inverse, row) if maha and inverse else None
        )
        mean = sum(row) / len(row)
        out["irv"].append(math.sqrt(sum((v - mean) ** 2 for v in row) / len(row)))
    return out


def empirical_pairs(
    items: Sequence[str], cov: Sequence[Sequence[float]]
) -> tuple[list[list[Any]], list[list[Any]]]:
    """Strongest positive and negative inter-item correlations (|r| >= PAIR_MIN_ABS_R),
    strongest first, at most one pair per two items."""
    k = len(items)
    corr = [
        (cov[i][j] / math.sqrt(cov[i][i] * cov[j][j]), i, j)
        for i in range(k)
        for j in range(i + 1, k)
    ]
    limit = k // 2
    pos = sorted((c for c in corr if c[0] >= PAIR_MIN_ABS_R), key=lambda c: (-c[0], c[1], c[2]))
    neg = sorted((c for c in corr if c[0] <= -PAIR_MIN_ABS_R), key=lambda c: (c[0], c[1], c[2]))
    return (
        [[items[i], items[j], round(r, 3)] for r, i, j in pos[:limit]],
        [[items[i], items[j], round(r, 3)] for r, i, j in neg[:limit]],
    )


def _rules(
    doc: dict[str, Any], values: dict[str, list[float | None]], random_values: list[float]
) -> None:
    indices = doc["indices"]
    below = ("synonym_consistency", "even_odd", "person_total")
    above = ("antonym_consistency", "inter_item_sd")
    for name in below + above:
        if name not in indices:
            continue
        direction = "below" if name in below else "above"
        indices[name].update(
            tail_rule(values[name], direction, TAIL if direction == "below" else 1 - TAIL)
        )
    maha = indices.get("mahalanobis")
    if maha is not None:
        reference = sorted(v for v in values["mahalanobis"] if v is not None)
        goal = RANDOM_DETECTION_GOAL_SHORT if len(doc["items"]) <= 20 else RANDOM_DETECTION_GOAL
        chosen = 0.80
        for step in range(0, 39):  # 0.990, 0.985, ... 0.800
            p = round(0.99 - 0.005 * step, 3)
            threshold = r4(quantile(reference, p))
            detected = sum(1 for v in random_values if v > threshold) / len(random_values)
            if detected >= goal:
                chosen = p
                break
        maha["random_detection_goal"] = goal
        maha["reference_percentile"] = chosen
        maha.update(tail_rule(values["mahalanobis"], "above", chosen))
    if "irv" in indices:
        sds = sorted(v for v in values["irv"] if v is not None)
        indices["irv"]["caution_below"] = round(quantile(sds, TAIL), 2)


def derive_from_sample(
    instrument: Instrument, path: Path, columns: dict[str, str]
) -> dict[str, Any]:
    items = list(instrument.item_order)
    total, complete = read_sample(path, columns, items)
    derivation = complete[0::2]
    mean, cov = covariance(derivation)
    mean = [r4(m) for m in mean]
    cov = [[round(c, 6) for c in row] for row in cov]
    synonyms, antonyms = empirical_pairs(items, cov)
    scales = leaf_scales(instrument)
    doc: dict[str, Any] = {
        "instrument": instrument.key,
        "format": FORMAT,
        "provenance": {
            "reference": "open_sample",
            "reference_label": "respondents in the open reference sample",
            "data_citation": DATA_CITATION,
            "data_file": path.name,
            "data_sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
            "rows_in_file": total,
            "rows_complete": len(complete),
            "rows_derivation": len(derivation),
            "rows_held_out": len(complete) - len(derivation),
            "cleaning": "rows with any of the instrument's items missing (0) are dropped",
            "split": "derivation: complete rows at even positions (0, 2, ...) in file order; "
            "held out for bench/validity.py: odd positions",
            "columns": {i: columns[i] for i in items},
            "command": f"tools/derive_validity.py {path.name} --instrument {instrument.key} "
            "--write",
            "note": "A volunteer online sample answering on an agree/disagree scale in the "
            "first person; its careless respondents are part of the reference, so each "
            "threshold flags a small, stated share of it.",
        },
        "citations": dict(CITATIONS),
        "items": items,
        "calibration": {
            "tail": TAIL,
            "pair_min_abs_r": PAIR_MIN_ABS_R,
            "random_rows": RANDOM_ROWS,
            "seed": SEED,
        },
        "indices": {
            "irv": {},
            "synonym_consistency": {"pairs": synonyms},
            "antonym_consistency": {"pairs": antonyms},
            "even_odd": {"scales": scales},
            "person_total": {"item_means": mean},
            "mahalanobis": {"mean": mean, "covariance": cov},
            "inter_item_sd": {"scales": scales},
        },
    }
    doc["citations"]["open_big5_data"] = DATA_CITATION
    values = index_values(instrument, doc, derivation)
    random_rows = uniform_answers(len(items), RANDOM_ROWS, SEED)
    random_maha = index_values(instrument, doc, random_rows)["mahalanobis"]
    _rules(doc, values, [v for v in random_maha if v is not None])
    return doc


def derive_from_simulation(instrument: Instrument) -> dict[str, Any]:
    items = list(instrument.item_order)
    rows = latent_answers(instrument, SIMULATED_ROWS, SEED, CONSERVATIVE)
    scales = leaf_scales(instrument)
    rules = instrument.validity
    doc: dict[str, Any] = {
        "instrument": instrument.key,
        "format": FORMAT,
        "provenance": {
            "reference": "simulation",
            "reference_label": "simulated attentive respondents",
            "data_citation": None,
            "model": "latent trait model (tools/validity_sim.py): standard-normal domain "
            "scores; facet = 0.7 x domain + unique part; item = loading x facet + noise; "
            "keyed answer = round(3 + spread x item) clipped to 1..5",
            "model_parameters": {
                "facet_loading": CONSERVATIVE.facet_loading,
                "item_loading": CONSERVATIVE.item_loading,
                "spread": CONSERVATIVE.spread,
            },
            "rows_simulated": SIMULATED_ROWS,
            "command": f"tools/derive_validity.py --instrument {instrument.key} --write",
            "note": "No item-level sample of this instrument is available here. Thresholds "
            "come from a deliberately noisy simulated population (items of a facet "
            "correlate about .30), so they stay lenient; synonym/antonym pairs are the "
            "content-based pairs of the instrument file (same facet, same or opposite "
            "keying); even-odd and inter-item SD use the facets; person-total and "
            "Mahalanobis need sample item statistics and are not computed.",
        },
        "citations": dict(CITATIONS),
        "items": items,
        "calibration": {"tail": TAIL, "seed": SEED},
        "indices": {
            "synonym_consistency": {"pairs": [[a, b, None] for a, b in rules.synonym_pairs]},
            "antonym_consistency": {"pairs": [[a, b, None] for a, b in rules.antonym_pairs]},
            "even_odd": {"scales": scales},
            "inter_item_sd": {"scales": scales},
        },
    }
    _rules(doc, index_values(instrument, doc, rows), [])
    return doc


def render(doc: dict[str, Any]) -> bytes:
    return (json.dumps(doc, indent=1, ensure_ascii=False) + "\n").encode("utf-8")


def parse_columns(pairs: Sequence[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for pair in pairs:
        item, sep, column = pair.partition("=")
        if not sep:
            raise SystemExit(f"--column wants ITEM=COLUMN, not {pair!r}")
        out[item] = column
    return out


def derive(
    instrument_key: str, data: Path | None, columns: dict[str, str] | None = None
) -> dict[str, Any]:
    instrument = load_instrument(instrument_key)
    if data is None:
        return derive_from_simulation(instrument)
    mapping = BUILT_IN_COLUMNS.get(instrument_key, dict)()
    mapping.update(columns or {})
    unmapped = [i for i in instrument.item_order if i not in mapping]
    if unmapped:
        raise SystemExit(f"no column for items: {', '.join(unmapped)} (use --column ITEM=COL)")
    return derive_from_sample(instrument, data, mapping)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data", nargs="?", type=Path, help="item-level TSV (omit to simulate)")
    parser.add_argument("--instrument", required=True)
    parser.add_argument("--column", action="append", default=[], metavar="ITEM=COLUMN")
    parser.add_argument("--write", action="store_true", help="write engine/validity/<key>.json")
    args = parser.parse_args(argv)
    try:
        load_instrument(args.instrument)
    except UnknownInstrumentError:
        print(f"instrument {args.instrument!r} is not in this build; skipped")
        return 0
    doc = derive(args.instrument, args.data, parse_columns(args.column))
    content = render(doc)
    target = OUT_DIR / f"{args.instrument}.json"
    for name, body in doc["indices"].items():
        rule = {k: v for k, v in body.items() if k.startswith("caution") or k.endswith("flagged")}
        print(f"{args.instrument:14} {name:20} {rule}")
    same = target.is_file() and target.read_bytes() == content
    if args.write:
        OUT_DIR.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
        print(f"wrote {target.relative_to(ROOT)} ({len(content)} bytes)")
    else:
        print(f"{target.relative_to(ROOT)}: {'identical' if same else 'differs'} (use --write)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
