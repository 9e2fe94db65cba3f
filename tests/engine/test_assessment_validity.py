"""Validity panel on crafted response patterns."""

from __future__ import annotations

from engine.assessment_testkit import NEO_MINUS_KEYED, neo_facet, neo_id
from insight_atlas.engine import load_instrument, score


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
