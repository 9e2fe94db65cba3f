"""Pro-rating rules, unscored scales and input validation."""

from __future__ import annotations

import pytest

from insight_atlas.engine import (
    AnswerError,
    DemographicsError,
    FreeTextError,
    TimingError,
    UnknownInstrumentError,
    score,
)


def full_neo(value: int = 4) -> dict[str, int]:
    return {f"neo-{i:03d}": value for i in range(1, 121)}


def test_one_missing_item_is_prorated() -> None:
    answers = full_neo(4)
    # N1 items: 1, 31, 61, 91 (all plus-keyed). Drop one and vary another.
    del answers["neo-001"]
    answers["neo-031"] = 5
    report = score("ipip-neo-120", answers)
    n1 = report.main.scale("N1")
    assert n1 is not None
    assert n1.prorated and n1.items_answered == 3 and n1.items_total == 4
    assert n1.raw == pytest.approx((5 + 4 + 4) / 3 * 4, abs=1e-4)


def test_two_missing_items_leave_the_facet_unscored_and_the_domain_prorated() -> None:
    answers = full_neo(4)
    del answers["neo-001"], answers["neo-031"]
    report = score("ipip-neo-120", answers)
    assert report.main.scale("N1") is None
    unscored = {u.key: u.reason for u in report.main.unscored}
    assert "2 of 4 items unanswered" in unscored["N1"]
    n = report.main.scale("N")
    assert n is not None and n.prorated
    others = [report.main.scale(f"N{k}") for k in range(2, 7)]
    assert n.raw == pytest.approx(sum(s.raw for s in others if s) * 6 / 5, abs=1e-4)


def test_domain_needs_five_facets() -> None:
    answers = full_neo(4)
    for item in ("neo-001", "neo-031", "neo-006", "neo-036"):  # two N1 and two N2 items
        del answers[item]
    report = score("ipip-neo-120", answers)
    unscored = {u.key: u.reason for u in report.main.unscored}
    assert set(unscored) == {"N1", "N2", "N"}
    assert "only 4 of 6 facets" in unscored["N"]
    report_json = report.to_dict()
    assert {u["key"] for u in report_json["unscored_scales"]} == {"N1", "N2", "N"}


def test_empty_answers_produce_a_report_with_everything_unscored() -> None:
    report = score("mini-ipip", {})
    assert report.main.scales == ()
    assert len(report.main.unscored) == 5


@pytest.mark.parametrize("bad", [0, 6, -1, "3", 3.0, 2.5, True, None])
def test_out_of_range_or_non_integer_values_are_rejected(bad: object) -> None:
    with pytest.raises(AnswerError) as info:
        score("mini-ipip", {"mini-01": 3, "mini-02": bad})  # type: ignore[dict-item]
    assert list(info.value.invalid_values) == ["mini-02"]
    assert "mini-02" in str(info.value)


def test_unknown_item_ids_are_listed() -> None:
    with pytest.raises(AnswerError) as info:
        score("mini-ipip", {"mini-01": 3, "neo-001": 3, "nope": 2})
    assert info.value.unknown_item_ids == ["neo-001", "nope"]


def test_unknown_instrument() -> None:
    with pytest.raises(UnknownInstrumentError):
        score("big-five-9000", {})


@pytest.mark.parametrize(
    "demographics",
    [{"sex": "other"}, {"age": 5}, {"age": "30"}, {"age": True}, {"height": 180}],
)
def test_bad_demographics(demographics: dict[str, object]) -> None:
    with pytest.raises(DemographicsError):
        score("mini-ipip", {"mini-01": 3}, demographics=demographics)


def test_bad_timings() -> None:
    with pytest.raises(TimingError):
        score("mini-ipip", {"mini-01": 3}, timings={"mini-01": -1})
    with pytest.raises(TimingError):
        score("mini-ipip", {"mini-01": 3}, timings={"mini-02": 4.0})
    with pytest.raises(TimingError):
        score("mini-ipip", {"mini-01": 3}, timings={"pages": [{"item_ids": [], "seconds": 3}]})


@pytest.mark.parametrize("seconds", [float("inf"), float("nan"), float("-inf")])
def test_non_finite_timings_are_refused(seconds: float) -> None:
    with pytest.raises(TimingError, match="finite"):
        score("mini-ipip", {"mini-01": 3}, timings={"mini-01": seconds})
    with pytest.raises(TimingError, match="finite"):
        score(
            "mini-ipip",
            {"mini-01": 3},
            timings={"pages": [{"item_ids": ["mini-01"], "seconds": seconds}]},
        )


def test_free_text_cap() -> None:
    score("mini-ipip", {"mini-01": 3}, free_text="a" * 5000)
    with pytest.raises(FreeTextError, match="5001 characters"):
        score("mini-ipip", {"mini-01": 3}, free_text="a" * 5001)
    with pytest.raises(FreeTextError):
        score("mini-ipip", {"mini-01": 3}, free_text=42)  # type: ignore[arg-type]
