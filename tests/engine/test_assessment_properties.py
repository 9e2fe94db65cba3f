"""Property tests: monotonicity and keying symmetry of raw scores."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from insight_atlas.engine import load_instrument, score

NEO = load_instrument("ipip-neo-120")
MINI = load_instrument("mini-ipip")

neo_answers = st.lists(st.integers(1, 5), min_size=120, max_size=120).map(
    lambda values: {it.id: v for it, v in zip(NEO.items, values, strict=True)}
)
mini_answers = st.lists(st.integers(1, 5), min_size=20, max_size=20).map(
    lambda values: {it.id: v for it, v in zip(MINI.items, values, strict=True)}
)


def raws(instrument: str, answers: dict[str, int]) -> dict[str, float]:
    return {s.key: s.raw for s in score(instrument, answers).main.scales}


@settings(max_examples=40, deadline=None)
@given(answers=neo_answers, position=st.integers(0, 119))
def test_raising_an_answer_moves_its_scales_in_the_keyed_direction(
    answers: dict[str, int], position: int
) -> None:
    item = NEO.items[position]
    if answers[item.id] == 5:
        answers[item.id] = 4
    before = raws("ipip-neo-120", answers)
    answers[item.id] += 1
    after = raws("ipip-neo-120", answers)
    domain = item.scale[0]
    for key in (item.scale, domain):
        if item.keyed == "plus":
            assert after[key] >= before[key]
            assert after[key] > before[key]
        else:
            assert after[key] <= before[key]
            assert after[key] < before[key]
    untouched = [k for k in before if k not in (item.scale, domain)]
    assert all(before[k] == after[k] for k in untouched)


@settings(max_examples=40, deadline=None)
@given(answers=neo_answers)
def test_mirrored_answers_mirror_raw_scores_around_the_midpoint(answers: dict[str, int]) -> None:
    mirrored = {k: 6 - v for k, v in answers.items()}
    a, b = raws("ipip-neo-120", answers), raws("ipip-neo-120", mirrored)
    for key in a:
        midpoint = 12 if len(key) == 2 else 72
        assert a[key] + b[key] == 2 * midpoint


@settings(max_examples=40, deadline=None)
@given(answers=mini_answers, drop=st.integers(0, 19))
def test_mini_symmetry_holds_with_pro_rating(answers: dict[str, int], drop: int) -> None:
    del answers[MINI.items[drop].id]
    mirrored = {k: 6 - v for k, v in answers.items()}
    a, b = raws("mini-ipip", answers), raws("mini-ipip", mirrored)
    assert set(a) == set(b) == {"E", "A", "C", "N", "I"}
    for key in a:
        assert abs(a[key] + b[key] - 6.0) < 1e-3
