"""The narrative stays cautious and non-diagnostic across many generated profiles."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from insight_atlas.engine import load_instrument, score
from insight_atlas.engine.narrative import guard_violations, load_templates

FORBIDDEN = re.compile(
    r"autis|adhd|disorder|diagnos|depression|anxiety disorder|bipolar|personality disorder"
    r"|narcissis|psychopath|clinical|patholog|syndrome|illness|symptom",
    re.IGNORECASE,
)
HEDGE = re.compile(r"\b(may|might|tends? to|could|perhaps|possibly)\b", re.IGNORECASE)
CERTAIN = re.compile(r"\b(definitely|certainly|undoubtedly|always|never)\b", re.IGNORECASE)

NEO = load_instrument("ipip-neo-120")
MINI = load_instrument("mini-ipip")
IPIP50 = load_instrument("ipip-50")
WORK = load_instrument("work-style")


def answers_for(items: tuple[object, ...]) -> st.SearchStrategy[dict[str, int]]:
    ids = [it.id for it in items]  # type: ignore[attr-defined]
    return st.lists(st.integers(1, 5), min_size=len(ids), max_size=len(ids)).map(
        lambda values: dict(zip(ids, values, strict=True))
    )


def biased(items: tuple[object, ...]) -> st.SearchStrategy[dict[str, int]]:
    """Profiles pushed to extremes so that high and low templates are exercised."""
    ids = [it.id for it in items]  # type: ignore[attr-defined]
    return st.lists(st.sampled_from([1, 1, 5, 5, 3]), min_size=len(ids), max_size=len(ids)).map(
        lambda values: dict(zip(ids, values, strict=True))
    )


def check(report_statements: tuple[object, ...], answered: set[str], scale_keys: set[str]) -> None:
    for statement in report_statements:
        text = statement.text  # type: ignore[attr-defined]
        assert not FORBIDDEN.search(text), text
        assert not CERTAIN.search(text), text
        assert HEDGE.search(text), text
        assert set(statement.items) <= answered  # type: ignore[attr-defined]
        assert set(statement.scales) <= scale_keys  # type: ignore[attr-defined]


@settings(max_examples=60, deadline=None)
@given(
    answers=st.one_of(answers_for(NEO.items), biased(NEO.items)),
    sex=st.sampled_from([None, "female", "male"]),
)
def test_neo_narrative_is_guarded(answers: dict[str, int], sex: str | None) -> None:
    report = score("ipip-neo-120", answers, demographics={"sex": sex} if sex else None)
    keys = {s.key for s in report.main.scales}
    check(report.narrative, set(answers), keys)


@settings(max_examples=60, deadline=None)
@given(
    mini=st.one_of(answers_for(MINI.items), biased(MINI.items)),
    work=st.one_of(answers_for(WORK.items), biased(WORK.items)),
)
def test_mini_and_work_style_narrative_is_guarded(
    mini: dict[str, int], work: dict[str, int]
) -> None:
    report = score("mini-ipip", {**mini, **work})
    keys = {s.key for s in report.main.scales} | {s.key for a in report.addons for s in a.scales}
    check(report.narrative, set(mini) | set(work), keys)


@settings(max_examples=40, deadline=None)
@given(
    answers=st.one_of(answers_for(IPIP50.items), biased(IPIP50.items)),
    age=st.sampled_from([None, 17, 35, 72]),
)
def test_ipip50_narrative_is_guarded(answers: dict[str, int], age: int | None) -> None:
    report = score("ipip-50", answers, demographics={"age": age} if age else None)
    check(report.narrative, set(answers), {s.key for s in report.main.scales})


def test_extreme_profiles_do_produce_statements_with_evidence() -> None:
    high = score("ipip-neo-120", {it.id: 5 if it.keyed == "plus" else 1 for it in NEO.items})
    kinds = {s.kind for s in high.narrative}
    assert {"hypothesis", "strength", "suggestion"} <= kinds
    for statement in high.narrative:
        if statement.kind != "note":
            assert statement.scales and statement.items


def test_guard_rejects_diagnostic_and_certain_language() -> None:
    assert guard_violations("You may have ADHD.")
    assert guard_violations("This suggests a personality disorder, perhaps.")
    assert guard_violations("You are definitely an introvert, you may agree.")
    assert guard_violations("You like parties.")  # no hedge
    assert not guard_violations("You may enjoy parties.")


def test_every_template_is_hedged() -> None:
    raw = load_templates().raw
    texts = [raw["facet_statement"]["text"]]
    for entry in raw["big_five"].values():
        texts += [s["text"] for band in entry.values() for s in band]
    texts += [s["text"] for e in raw["workstyle"]["scales"].values() for s in e.values()]
    for text in texts:
        assert guard_violations(text) == [], text
