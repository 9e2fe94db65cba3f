"""Golden values computed by hand from the published keys, norms and formulas.

Expected numbers are derived here from Johnson's norm values and coefficient
alphas copied into the test, not from the engine's own helpers.
"""

from __future__ import annotations

import math
from statistics import NormalDist

import pytest

from engine.assessment_testkit import NEO_FACET_ORDER, neo_facet, neo_id, neo_keyed
from insight_atlas.engine import score

# Johnson's IPIP-NEO-120 norms, women aged 21-40: (mean, sd).
FEMALE_21_40 = {
    "N": (72.14, 16.16), "E": (80.78, 14.64), "O": (88.25, 12.15), "A": (91.91, 11.39),
    "C": (87.57, 13.87), "N1": (13.08, 3.68), "E1": (14.05, 3.66), "A2": (17.34, 2.61),
    "C3": (16.36, 2.54),
}  # fmt: skip
# Coefficient alphas of the IPIP-120 scales, Johnson's IPIP-300 vs IPIP-120 table
# (ipip.ori.org/IPIP300-120ComparisonTable.htm, "IPIP 120" column).
JOHNSON_ALPHA = {"N1": 0.71, "C3": 0.47, "N": 0.88}
# Men aged 41-60 and the matching women's group, for the combined-norm check.
MALE_41_60_E = (77.06, 14.31)
FEMALE_41_60_E = (78.62, 14.19)


def t_score(raw: float, mean: float, sd: float) -> float:
    return 50 + 10 * (raw - mean) / sd


def pct(t: float) -> float:
    return 100 * NormalDist().cdf((t - 50) / 10)


def band(t: float) -> str:
    return "low" if t < 45 else "high" if t > 55 else "average"


def neo_answers(fn: object) -> dict[str, int]:
    assert callable(fn)
    return {neo_id(i): int(fn(i)) for i in range(1, 121)}


def expected_raw(answers: dict[str, int]) -> dict[str, float]:
    raw: dict[str, float] = dict.fromkeys(NEO_FACET_ORDER, 0.0)
    for i in range(1, 121):
        raw[neo_facet(i)] += neo_keyed(i, answers[neo_id(i)])
    for d in "NEOAC":
        raw[d] = sum(raw[f"{d}{n}"] for n in range(1, 7))
    return raw


@pytest.mark.parametrize(
    ("answer_of", "label"),
    [
        (lambda i: 3, "all-3"),
        (lambda i: 1, "all-1"),
        (lambda i: 5, "all-5"),
        (lambda i: (i * 7) % 5 + 1, "mixed"),
        (lambda i: 1 + (i * i + 3 * i) % 5, "mixed-2"),
    ],
)
def test_neo_scores_match_hand_computation(answer_of: object, label: str) -> None:
    answers = neo_answers(answer_of)
    report = score("ipip-neo-120", answers, demographics={"sex": "female", "age": 30})
    raw = expected_raw(answers)
    scales = {s.key: s for s in report.main.scales}
    assert len(scales) == 35 and not report.main.unscored, label
    for key in raw:
        assert scales[key].raw == pytest.approx(raw[key], abs=1e-9), (label, key)
    for key, (mean, sd) in FEMALE_21_40.items():
        t = t_score(raw[key], mean, sd)
        s = scales[key]
        assert s.t == pytest.approx(t, abs=0.006), (label, key)
        assert s.percentile == pytest.approx(pct(t), abs=0.006), (label, key)
        assert s.band == band(t), (label, key)
    assert report.main.norms.group_id == "female_21_40"


def test_all_threes_sit_at_the_scale_midpoint() -> None:
    report = score("ipip-neo-120", neo_answers(lambda i: 3))
    for s in report.main.scales:
        assert s.raw == (12 if s.kind == "facet" else 72)


def test_all_ones_follow_the_reverse_key() -> None:
    # Neuroticism has 17 plus-keyed and 7 minus-keyed items: 17*1 + 7*5 = 52.
    report = score("ipip-neo-120", neo_answers(lambda i: 1))
    scales = {s.key: s.raw for s in report.main.scales}
    assert scales["N"] == 52
    assert scales["N1"] == 4  # four plus-keyed anxiety items
    assert scales["N5"] == 1 + 3 * 5  # immoderation: one plus, three minus
    assert scales["A"] == 7 * 1 + 17 * 5


@pytest.mark.parametrize("key", sorted(JOHNSON_ALPHA))
def test_sem_interval_uses_published_alpha(key: str) -> None:
    answers = neo_answers(lambda i: 4)
    report = score("ipip-neo-120", answers, demographics={"sex": "female", "age": 30})
    scale = report.main.scale(key)
    assert scale is not None and scale.interval is not None
    alpha = JOHNSON_ALPHA[key]
    mean, sd = FEMALE_21_40[key]
    raw = expected_raw(answers)[key]
    sem_raw = sd * math.sqrt(1 - alpha)
    sem_t = 10 * math.sqrt(1 - alpha)
    t = t_score(raw, mean, sd)
    assert scale.interval.alpha == alpha and scale.interval.alpha_status == "published"
    assert scale.interval.sem_raw == pytest.approx(sem_raw, abs=1e-4)
    assert scale.interval.sem_t == pytest.approx(sem_t, abs=1e-4)
    assert scale.interval.raw_low == pytest.approx(raw - 1.96 * sem_raw, abs=1e-4)
    assert scale.interval.raw_high == pytest.approx(raw + 1.96 * sem_raw, abs=1e-4)
    assert scale.interval.t_low == pytest.approx(t - 1.96 * sem_t, abs=0.006)
    assert scale.interval.t_high == pytest.approx(t + 1.96 * sem_t, abs=0.006)


def test_combined_norm_when_sex_is_missing() -> None:
    answers = neo_answers(lambda i: (i * 7) % 5 + 1)
    report = score("ipip-neo-120", answers, demographics={"age": 50})
    assert report.main.norms.group_id == "combined_41_60"
    assert report.main.norms.status == "derived"
    assert "No sex given" in report.main.norms.reason
    (mm, ms), (fm, fs) = MALE_41_60_E, FEMALE_41_60_E
    mean = (mm + fm) / 2
    sd = math.sqrt((ms**2 + fs**2) / 2 + ((mm - fm) / 2) ** 2)
    e = report.main.scale("E")
    assert e is not None
    assert e.t == pytest.approx(t_score(expected_raw(answers)["E"], mean, sd), abs=0.006)


def test_default_age_band_is_reported() -> None:
    report = score("ipip-neo-120", neo_answers(lambda i: 3), demographics={"sex": "male"})
    assert report.main.norms.group_id == "male_21_40"
    assert "No age given" in report.main.norms.reason


@pytest.mark.parametrize(
    ("age", "band_id"), [(18, "under_21"), (20, "under_21"), (21, "21_40"), (40, "21_40"),
                         (41, "41_60"), (60, "41_60"), (61, "over_60"), (90, "over_60")]
)  # fmt: skip
def test_age_bands(age: int, band_id: str) -> None:
    report = score("ipip-neo-120", {"neo-001": 3}, demographics={"sex": "male", "age": age})
    assert report.main.norms.group_id == f"male_{band_id}"


def test_mini_ipip_mixed_profile() -> None:
    # Mini-IPIP: E items 1, 6(-), 11, 16(-); answers 5, 2, 4, 1 -> keyed 5, 4, 4, 5.
    answers = {f"mini-{i:02d}": 3 for i in range(1, 21)}
    answers.update({"mini-01": 5, "mini-06": 2, "mini-11": 4, "mini-16": 1})
    report = score("mini-ipip", answers)
    e = report.main.scale("E")
    assert e is not None
    assert e.raw == pytest.approx(4.5)
    # No sex or age: the open sample's combined all-ages group, E mean 2.8961, SD 1.0293
    # (derived norms, copied here from tools/derive_norms.py's output).
    assert report.main.norms.status == "derived"
    assert report.main.norms.group_id == "combined_all"
    assert e.t == pytest.approx(t_score(4.5, 2.8961, 1.0293), abs=0.006)
    # SEM T = 10 * sqrt(1 - alpha), alpha derived from the open sample: .799 for E.
    assert e.interval is not None and e.interval.alpha_status == "derived"
    assert e.interval.sem_t == pytest.approx(10 * math.sqrt(1 - 0.799), abs=1e-4)
    assert e.band == "high"
    a = report.main.scale("A")
    # A: 3.0 against mean 3.9121, SD 0.8698 -> T = 39.51, low.
    assert a is not None and a.raw == 3.0 and a.band == "low"
    assert a.t == pytest.approx(t_score(3.0, 3.9121, 0.8698), abs=0.006)


def test_mini_ipip_uses_the_age_and_sex_group_or_says_why_not() -> None:
    answers = {f"mini-{i:02d}": 3 for i in range(1, 21)}
    woman = score("mini-ipip", answers, demographics={"sex": "female", "age": 30})
    assert woman.main.norms.group_id == "female_21_40"
    c = woman.main.scale("C")
    assert c is not None and c.t == pytest.approx(t_score(3.0, 3.3086, 0.8989), abs=0.006)
    # Only 110 men over 60 in the open sample (< 300): the men's all-ages group instead.
    old_man = score("mini-ipip", answers, demographics={"sex": "male", "age": 70})
    assert old_man.main.norms.group_id == "male_all"
    assert "110 men aged over 60" in old_man.main.norms.reason
    n = old_man.main.scale("N")
    assert n is not None and n.t == pytest.approx(t_score(3.0, 2.7624, 0.8902), abs=0.006)
    info = old_man.main.norms.to_dict()
    assert "N = 19,718" in info["sample"] and "median age 22" in info["sample"]
    assert any("agree/disagree" in caveat for caveat in info["caveats"])


def ipip50_answers() -> dict[str, int]:
    """Every item 3, E items at their keyed maximum, N items all answered 4."""
    answers = {f"ipip50-{n:02d}": 3 for n in range(1, 51)}
    for n in range(1, 51, 5):  # E: items 1, 6, ..., 46; minus-keyed 6, 16, 26, 36, 46
        answers[f"ipip50-{n:02d}"] = 1 if n in (6, 16, 26, 36, 46) else 5
    for n in range(4, 51, 5):  # N: items 4, 9, ..., 49
        answers[f"ipip50-{n:02d}"] = 4
    return answers


def test_ipip50_hand_computed_profile() -> None:
    report = score("ipip-50", ipip50_answers())
    e, n, a = (report.main.scale(k) for k in ("E", "N", "A"))
    assert e is not None and n is not None and a is not None
    assert e.raw == 5.0
    # N: items 9 and 19 are minus-keyed -> (8 * 4 + 2 * (6 - 4)) / 10 = 3.6.
    assert n.raw == pytest.approx(3.6)
    assert a.raw == 3.0
    # Combined all-ages group of the open sample: E 3.0113 / 0.9223, N 3.0971 / 0.8617.
    assert e.t == pytest.approx(t_score(5.0, 3.0113, 0.9223), abs=0.006)
    assert e.percentile == pytest.approx(100 * NormalDist().cdf((5.0 - 3.0113) / 0.9223), abs=0.006)
    assert e.band == "high"
    assert n.t == pytest.approx(t_score(3.6, 3.0971, 0.8617), abs=0.006)
    assert n.band == "high"
    assert a.t == pytest.approx(t_score(3.0, 3.8446, 0.7145), abs=0.006)
    assert a.band == "low"
    assert e.interval is not None
    assert e.interval.sem_t == pytest.approx(10 * math.sqrt(1 - 0.892), abs=1e-4)
    # The Big Five narrative templates apply (scale keys as in the Mini-IPIP).
    assert {s.scales[0] for s in report.narrative if s.scales} >= {"E", "N", "A", "C", "I"}


def test_ipip50_prorates_up_to_two_missing_items_per_trait() -> None:
    answers = ipip50_answers()
    del answers["ipip50-01"], answers["ipip50-06"]
    e = score("ipip-50", answers).main.scale("E")
    assert e is not None and e.raw == 5.0 and e.prorated and e.items_answered == 8
    del answers["ipip50-11"]
    report = score("ipip-50", answers)
    assert report.main.scale("E") is None
    assert [u.key for u in report.main.unscored] == ["E"]
