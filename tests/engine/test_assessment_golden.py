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
    # Placeholder reference (mean 3.0, SD 0.8) is reported as such.
    assert report.main.norms.status == "placeholder"
    assert e.t == pytest.approx(t_score(4.5, 3.0, 0.8), abs=0.006)
    assert e.band == "high"
    a = report.main.scale("A")
    assert a is not None and a.raw == 3.0 and a.band == "average"
