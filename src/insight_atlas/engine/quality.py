"""Response-quality (validity) panel.

Indices are computed on the main instrument's items in presentation order.
They inform the reader; they never stop a report from being produced.

An instrument with derived parameters (engine/validity/<key>.json) gets the
empirical indices of ``careless_indices``; one without keeps the content-based
synonym/antonym rules of its instrument file.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from .careless import careless_indices
from .consistency import pearson
from .models import Instrument
from .report import ValidityIndex, ValidityPanel, r4
from .validity_params import ValidityParameters, load_parameters

_ORDER = {"ok": 0, "not_computable": 0, "not_available": 0, "caution": 1, "invalid": 2}


def longest_run(values: Sequence[int | None]) -> int:
    """Longest run of identical consecutive answers; a missing answer breaks a run."""
    best = run = 0
    previous: int | None = None
    for v in values:
        if v is not None and v == previous:
            run += 1
            if run > best:
                best = run
        else:
            run = 1 if v is not None else 0
            if run > best:
                best = run
        previous = v
    return best


def population_sd(values: Sequence[int]) -> float:
    n = len(values)
    if n == 0:
        return 0.0
    mean = sum(values) / n
    return math.sqrt(sum([(v - mean) ** 2 for v in values]) / n)


def _pair_index(
    name: str,
    pairs: Sequence[tuple[str, str]],
    answers: Mapping[str, int],
    threshold: float,
    expect_positive: bool,
    citations: tuple[str, ...],
) -> ValidityIndex:
    complete = [(answers[a], answers[b]) for a, b in pairs if a in answers and b in answers]
    r = pearson([float(a) for a, _ in complete], [float(b) for _, b in complete])
    kind = "synonym" if expect_positive else "antonym"
    if expect_positive:
        rule = f"caution if the within-person correlation across {kind} pairs is below {threshold}"
    else:
        rule = f"caution if the within-person correlation across {kind} pairs is above {threshold}"
    if r is None:
        return ValidityIndex(
            name,
            None,
            rule,
            "not_computable",
            citations,
            f"{len(complete)} complete {kind} pairs; the correlation needs at least 3 pairs "
            "and some variation in the answers.",
        )
    bad = r < threshold if expect_positive else r > threshold
    expectation = "agree" if expect_positive else "disagree"
    detail = (
        f"Across {len(complete)} {kind} pairs the answers correlate at {r:.2f}; "
        f"attentive answers usually {expectation} within each pair."
    )
    return ValidityIndex(name, r4(r), rule, "caution" if bad else "ok", citations, detail)


def _timing_index(
    instrument: Instrument, timings: Mapping[str, float] | None, answered: Sequence[str]
) -> ValidityIndex:
    rules = instrument.validity
    floor = rules.seconds_per_item_floor
    rule = (
        f"share of items answered in under {floor:g} s: caution at or above "
        f"{rules.time_caution_share:g}, invalid at or above {rules.time_invalid_share:g}"
    )
    timed = [timings[i] for i in answered if timings is not None and i in timings]
    if not timed:
        return ValidityIndex(
            "response_time",
            None,
            rule,
            "not_available",
            rules.time_citations,
            "No response times were supplied.",
        )
    fast = sum(1 for s in timed if s < floor)
    share = fast / len(timed)
    if share >= rules.time_invalid_share:
        verdict = "invalid"
    elif share >= rules.time_caution_share:
        verdict = "caution"
    else:
        verdict = "ok"
    detail = f"{fast} of {len(timed)} timed items took under {floor:g} s."
    return ValidityIndex("response_time", r4(share), rule, verdict, rules.time_citations, detail)


def _irv_index(
    instrument: Instrument, values: Sequence[int], params: ValidityParameters | None
) -> ValidityIndex:
    rules = instrument.validity
    # A derived caution threshold only ever makes the rule more lenient: a short form
    # leaves attentive people with few answers to vary.
    caution_below = rules.irv_caution_below
    if params is not None and params.irv_caution_below is not None:
        caution_below = min(caution_below, params.irv_caution_below)
    sd = population_sd(values)
    if not values:
        verdict = "not_computable"
    elif sd < rules.irv_invalid_below:
        verdict = "invalid"
    elif sd < caution_below:
        verdict = "caution"
    else:
        verdict = "ok"
    return ValidityIndex(
        "irv",
        r4(sd),
        f"caution below {caution_below:g}, invalid below {rules.irv_invalid_below:g} "
        "(standard deviation of the raw answers)",
        verdict,
        rules.irv_citations,
        f"The answers vary with a standard deviation of {sd:.2f} scale points.",
    )


def validity_panel(
    instrument: Instrument,
    answers: Mapping[str, int],
    timings: Mapping[str, float] | None,
) -> ValidityPanel:
    rules = instrument.validity
    params = load_parameters(instrument.key)
    ordered = [answers.get(i) for i in instrument.item_order]
    answered_ids = [i for i in instrument.item_order if i in answers]
    values = [v for v in ordered if v is not None]

    run = longest_run(ordered)
    if run >= rules.longstring_invalid:
        ls_verdict = "invalid"
    elif run >= rules.longstring_caution:
        ls_verdict = "caution"
    else:
        ls_verdict = "ok"
    longstring = ValidityIndex(
        "longstring",
        float(run),
        f"caution at or above {rules.longstring_caution}, invalid at or above "
        f"{rules.longstring_invalid} identical answers in a row",
        ls_verdict,
        rules.longstring_citations,
        f"The longest run of identical consecutive answers is {run}.",
    )
    irv = _irv_index(instrument, values, params)
    if params is not None:
        consistency = careless_indices(instrument, params, answers)
    else:
        consistency = (
            _pair_index(
                "synonym_consistency",
                rules.synonym_pairs,
                answers,
                rules.synonym_caution_below,
                True,
                rules.pair_citations,
            ),
            _pair_index(
                "antonym_consistency",
                rules.antonym_pairs,
                answers,
                rules.antonym_caution_above,
                False,
                rules.pair_citations,
            ),
        )
    timing = _timing_index(instrument, timings, answered_ids)
    indices = (longstring, irv, *consistency, timing)
    worst = max(_ORDER[i.verdict] for i in indices)
    overall = ("valid", "caution", "invalid")[worst]
    reasons = tuple(f"{i.name}: {i.detail}" for i in indices if _ORDER[i.verdict] > 0)
    return ValidityPanel(overall, reasons, indices)
