"""Validity panel on crafted response patterns."""

from __future__ import annotations

import random
import re
from collections.abc import Callable

import pytest

from engine.assessment_testkit import NEO_MINUS_KEYED, neo_facet, neo_id
from insight_atlas.engine import list_instruments, load_instrument, score
from insight_atlas.engine.consistency import (
    even_odd,
    inter_item_sd,
    invert,
    mahalanobis,
    percentile_rank,
    person_total,
)
from insight_atlas.engine.validity_params import load_parameters


def attentive_neo() -> dict[str, int]:
    """A consistent profile: each facet has its own level, answered through the key."""
    levels = {f"{d}{n}": 2 + (n + "NEOAC".index(d)) % 3 for d in "NEOAC" for n in range(1, 7)}
    answers = {}
    for i in range(1, 121):
        level = levels[neo_facet(i)]
        answers[neo_id(i)] = 6 - level if i in NEO_MINUS_KEYED else level
    return answers


def test_straight_lining_is_flagged_invalid_but_still_reported() -> None:
    report = score("ipip-neo-120", {neo_id(i): 3 for i in range(1, 121)})
    panel = report.validity
    assert panel.overall == "invalid"
    assert panel.index("longstring").value == 120
    assert panel.index("longstring").verdict == "invalid"
    assert panel.index("irv").value == 0 and panel.index("irv").verdict == "invalid"
    assert any(r.startswith("longstring") for r in panel.reasons)
    assert len(report.main.scales) == 35  # never blocks a report
    assert report.narrative[0].kind == "note"


def test_attentive_profile_is_valid() -> None:
    report = score("ipip-neo-120", attentive_neo())
    panel = report.validity
    assert panel.overall == "valid", panel.reasons
    assert panel.index("synonym_consistency").value is not None
    assert panel.index("synonym_consistency").value > 0.5  # type: ignore[operator]
    assert panel.index("antonym_consistency").value < -0.5  # type: ignore[operator]
    assert panel.index("response_time").verdict == "not_available"


def test_answering_antonyms_alike_raises_caution() -> None:
    answers = attentive_neo()
    inst = load_instrument("ipip-neo-120")
    for a, b in inst.validity.antonym_pairs:
        answers[b] = answers[a]
    panel = score("ipip-neo-120", answers).validity
    assert panel.index("antonym_consistency").verdict == "caution"
    assert panel.overall in {"caution", "invalid"}


def test_moderate_run_is_caution() -> None:
    answers = attentive_neo()
    for i in range(1, 13):
        answers[neo_id(i)] = 4
    answers[neo_id(13)] = 1
    panel = score("ipip-neo-120", answers).validity
    assert panel.index("longstring").value == 12
    assert panel.index("longstring").verdict == "caution"


def test_fast_responses_flagged_by_time() -> None:
    answers = attentive_neo()
    fast = dict.fromkeys(answers, 0.8)
    panel = score("ipip-neo-120", answers, timings=fast).validity
    assert panel.index("response_time").value == 1.0
    assert panel.index("response_time").verdict == "invalid"
    slow = dict.fromkeys(answers, 4.5)
    assert score("ipip-neo-120", answers, timings=slow).validity.overall == "valid"


def test_page_timings_are_spread_over_items() -> None:
    answers = attentive_neo()
    ids = sorted(answers)
    pages = [{"item_ids": ids[k : k + 20], "seconds": 20.0} for k in range(0, 120, 20)]
    panel = score("ipip-neo-120", answers, timings={"pages": pages}).validity
    assert panel.index("response_time").value == 1.0  # 1 s per item is under 2 s
    assert panel.index("response_time").verdict == "invalid"


def test_every_index_has_threshold_citation_and_verdict() -> None:
    report = score("ipip-neo-120", attentive_neo())
    citations = dict(report.citations)
    for index in report.validity.indices:
        assert index.threshold and index.detail
        assert index.citations and all(c in citations for c in index.citations)
        assert index.verdict in {"ok", "caution", "invalid", "not_computable", "not_available"}


# --- Derived (empirical) indices: engine/validity/<key>.json ------------------------------

EMPIRICAL = ("synonym_consistency", "antonym_consistency", "even_odd", "person_total")
DERIVED = (*EMPIRICAL, "mahalanobis", "inter_item_sd")


def instruments_with_parameters() -> list[str]:
    keys = [i.key for i in list_instruments() if load_parameters(i.key) is not None]
    assert {"mini-ipip", "ipip-neo-120"} <= set(keys)
    return keys


def keyed_pattern(key: str, keyed_of: Callable[[str, int], int]) -> dict[str, int]:
    """Answers whose keyed value is ``keyed_of(scale, position in the scale)``."""
    inst = load_instrument(key)
    params = load_parameters(key)
    assert params is not None
    answers: dict[str, int] = {}
    for scale_items in params.scales:
        for position, item_id in enumerate(scale_items):
            item = inst.item_by_id[item_id]
            keyed = keyed_of(item.scale, position)
            answers[item_id] = 6 - keyed if item.keyed == "minus" else keyed
    return answers


def consistent(key: str) -> dict[str, int]:
    """A clear, consistent profile: each scale at its own level, every item through its key."""
    levels = [4, 2, 4, 3, 2, 5, 3, 4, 2, 3]
    scales = sorted({s for s in (load_instrument(key).item_by_id[i].scale for i in
                                 load_instrument(key).item_order)})  # fmt: skip
    return keyed_pattern(key, lambda scale, _: levels[scales.index(scale) % len(levels)])


@pytest.mark.parametrize("key", ["mini-ipip", "ipip-neo-120", "ipip-50"])
def test_straight_lining_is_invalid_on_every_instrument(key: str) -> None:
    if key not in {i.key for i in list_instruments()}:
        pytest.skip(f"{key} is not in this build")
    items = load_instrument(key).item_order
    for value in range(1, 6):
        panel = score(key, dict.fromkeys(items, value)).validity
        assert panel.overall == "invalid", (key, value)
        assert panel.index("longstring").verdict == "invalid"


@pytest.mark.parametrize("key", ["mini-ipip", "ipip-neo-120"])
def test_consistent_profile_is_valid(key: str) -> None:
    panel = score(key, consistent(key)).validity
    assert panel.overall == "valid", panel.reasons
    assert panel.index("even_odd").value == 1.0
    assert panel.index("inter_item_sd").value == 0.0
    assert panel.index("synonym_consistency").verdict == "ok"


@pytest.mark.parametrize("key", ["mini-ipip", "ipip-neo-120"])
def test_contradicting_items_of_one_scale_raise_caution(key: str) -> None:
    # Within each scale the keyed answers alternate 5, 1, 5, 1: agreeing with an item
    # and with its opposite. The spread within scales is the widest possible.
    answers = keyed_pattern(key, lambda _, position: 5 if position % 2 == 0 else 1)
    panel = score(key, answers).validity
    assert panel.overall in {"caution", "invalid"}, panel.reasons
    sd = panel.index("inter_item_sd")
    assert sd.value == 2.0 and sd.verdict == "caution"
    assert any(r.startswith("inter_item_sd: ") for r in panel.reasons)
    # Every odd half sits at 5 and every even half at 1: no variation to correlate.
    assert panel.index("even_odd").verdict == "not_computable"


def test_random_answers_are_mostly_flagged_on_mini_ipip() -> None:
    rng = random.Random(11)
    items = load_instrument("mini-ipip").item_order
    flagged = sum(
        score("mini-ipip", {i: rng.randint(1, 5) for i in items}).validity.overall != "valid"
        for _ in range(200)
    )
    assert flagged >= 160  # the benchmark's target: 80%


def test_random_answers_are_flagged_on_ipip_neo_120() -> None:
    rng = random.Random(12)
    items = load_instrument("ipip-neo-120").item_order
    flagged = 0
    for _ in range(100):
        panel = score("ipip-neo-120", {i: rng.randint(1, 5) for i in items}).validity
        flagged += panel.index("inter_item_sd").verdict == "caution"
    assert flagged >= 95


def test_mini_ipip_uses_empirical_pairs_from_the_open_sample() -> None:
    params = load_parameters("mini-ipip")
    assert params is not None and params.reference == "open_sample"
    # "Sympathize with others' feelings" / "Feel others' emotions" is the strongest
    # positive pair in the sample; "vivid imagination" / "do not have a good imagination"
    # the strongest negative one.
    assert params.synonym_pairs[0] == ("mini-02", "mini-12")
    assert params.antonym_pairs[0] == ("mini-05", "mini-20")
    assert len(params.synonym_pairs) >= 6 and len(params.antonym_pairs) >= 6


def test_missing_answer_makes_mahalanobis_not_computable_only() -> None:
    answers = consistent("mini-ipip")
    del answers["mini-07"]
    panel = score("mini-ipip", answers).validity
    assert panel.index("mahalanobis").verdict == "not_computable"
    assert panel.index("person_total").value is not None
    assert panel.overall == "valid"


def test_neo_has_no_sample_based_indices() -> None:
    panel = score("ipip-neo-120", attentive_neo()).validity
    for name in ("person_total", "mahalanobis"):
        index = panel.index(name)
        assert index.verdict == "not_available" and index.value is None
        assert "reference sample" in index.detail


@pytest.mark.parametrize("key", ["mini-ipip", "ipip-neo-120"])
def test_details_say_how_common_the_pattern_is_without_blame(key: str) -> None:
    answers = keyed_pattern(key, lambda _, position: 5 if position % 2 == 0 else 1)
    report = score(key, answers)
    params = load_parameters(key)
    assert params is not None
    for index in report.validity.indices:
        if index.name in DERIVED and index.value is not None:
            assert f"Among {params.reference_label}, " in index.detail
            assert re.search(r"(\d+%|fewer than 1%|more than 99%) ", index.detail)
            assert not re.search(r"careless|lazy|cheat|lie|dishonest|fake", index.detail, re.I)
    # The narrative's note repeats what was seen, in the same words as the panel.
    note = report.narrative[0]
    first = next(i for i in report.validity.indices if i.verdict == report.validity.overall)
    assert note.kind == "note" and first.detail in note.text
    assert "Attentive people can show this too" in note.text or "slip" in note.text


def test_percentile_rank_interpolates_the_reference() -> None:
    percentiles = [float(p) for p in range(101)]  # reference uniform on 0..100
    assert percentile_rank(-1, percentiles) == 0.0
    assert percentile_rank(37.5, percentiles) == pytest.approx(37.5)
    assert percentile_rank(100, percentiles) == 100.0
    ties = [0.0] * 50 + [float(p) for p in range(1, 52)]
    assert percentile_rank(0.0, ties) == 49.0  # at or below: the whole tied block


def test_index_arithmetic_matches_hand_computation() -> None:
    assert mahalanobis([3.0, 3.0], [[1.0, 0.0], [0.0, 0.25]], [5, 1]) == pytest.approx(4.0 + 1.0)
    inverse = invert([[2.0, 1.0], [1.0, 2.0]])
    assert inverse == [[pytest.approx(2 / 3), pytest.approx(-1 / 3)],
                       [pytest.approx(-1 / 3), pytest.approx(2 / 3)]]  # fmt: skip
    # means (1, 3, 4) against answers (2, 5, 4): r = 33 / 42
    assert person_total([1.0, 2.0, 3.0, 4.0], [2, None, 5, 4]) == pytest.approx(33 / 42)
    keyed = {"a": 5, "b": 4, "c": 1, "d": 2, "e": 3, "f": 4}
    # halves (5, 1, 3) against (4, 2, 4): r = 4 / sqrt(8 * 24 / 9) = 0.8660,
    # stepped up by Spearman-Brown 2r / (1 + r)
    r = 4 / (8 * 24 / 9) ** 0.5
    assert even_odd([["a", "b"], ["c", "d"], ["e", "f"]], keyed) == pytest.approx(2 * r / (1 + r))
    # within-scale SDs: (5, 1) -> 2.0, (3, 4) -> 0.5
    assert inter_item_sd([["a", "c"], ["e", "f"]], keyed) == pytest.approx(1.25)
