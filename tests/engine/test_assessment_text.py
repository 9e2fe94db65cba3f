"""Free-text style signals: evidence, exploratory label, isolation from scores."""

from __future__ import annotations

import pytest

from insight_atlas.engine import score
from insight_atlas.engine.text_signals import (
    analyse_text,
    count_syllables,
    sentiment_analyzer,
)

TEXT = (
    "I think we may have done well this year. Honestly, I was worried at first. "
    "But the team was great and I definitely feel happy about our work! "
    "Of course, some days were frustrating."
)
MINI = {f"mini-{i:02d}": 1 + (i * 3) % 5 for i in range(1, 21)}


def test_signals_are_exploratory_and_evidence_comes_from_the_text() -> None:
    signals = analyse_text(TEXT)
    assert signals is not None and signals.label == "exploratory"
    lowered = TEXT.lower()
    for signal in signals.signals:
        assert signal.meaning
        for evidence in signal.evidence:
            assert evidence.lower() in lowered, (signal.name, evidence)


def test_specific_markers_are_found() -> None:
    signals = analyse_text(TEXT)
    assert signals is not None
    assert {"I think", "may"} <= set(signals.signal("hedging_rate").evidence)
    assert {"definitely", "Of course"} <= set(signals.signal("certainty_rate").evidence)
    assert signals.signal("first_person_singular_rate").evidence == ("I",)
    assert set(signals.signal("first_person_plural_rate").evidence) == {"we", "our"}
    assert signals.signal("emotion_words_fear").evidence == ("worried",)
    assert signals.signal("emotion_words_anger").evidence == ("frustrating",)
    assert signals.signal("sentiment").value > 0
    assert "great" in signals.signal("sentiment").evidence
    words = signals.word_count
    assert signals.signal("first_person_singular_rate").value == pytest.approx(
        100 * 3 / words, abs=0.01
    )


def test_readability_formula() -> None:
    # 2 sentences, 8 words, 10 syllables (heuristic: ta-ble = 2, o-ver = 2).
    signals = analyse_text("The table is big. We sat over there.")
    assert signals is not None
    wps, spw = 8 / 2, 10 / 8
    assert signals.signal("flesch_reading_ease").value == pytest.approx(
        206.835 - 1.015 * wps - 84.6 * spw, abs=0.01
    )
    assert signals.signal("flesch_kincaid_grade").value == pytest.approx(
        0.39 * wps + 11.8 * spw - 15.59, abs=0.01
    )


@pytest.mark.parametrize(
    ("word", "syllables"),
    [("the", 1), ("make", 1), ("table", 2), ("reading", 2), ("personality", 5), ("a", 1)],
)
def test_syllable_heuristic(word: str, syllables: int) -> None:
    assert count_syllables(word) == syllables


def test_text_never_changes_scores() -> None:
    plain = score("mini-ipip", MINI).to_dict()
    with_text = score("mini-ipip", MINI, free_text=TEXT).to_dict()
    assert with_text["text_signals"] is not None and plain["text_signals"] is None
    for key in ("scales", "unscored_scales", "validity", "narrative", "norms"):
        assert plain[key] == with_text[key]


def test_vader_analyser_is_built_once() -> None:
    assert sentiment_analyzer() is sentiment_analyzer()
    before = sentiment_analyzer.cache_info().misses
    score("mini-ipip", MINI, free_text=TEXT)
    score("mini-ipip", MINI, free_text="Another calm sentence.")
    assert sentiment_analyzer.cache_info().misses == before <= 1


def test_blank_text_gives_no_signals() -> None:
    assert score("mini-ipip", MINI, free_text="   ").text_signals is None


def _reference_scan(
    lowered: list[str], phrases: dict[str, tuple[tuple[str, ...], ...]]
) -> list[tuple[int, tuple[str, ...]]]:
    """Left to right, word by word: the longest phrase starting here, then past it."""
    found: list[tuple[int, tuple[str, ...]]] = []
    i = 0
    while i < len(lowered):
        match = next(
            (p for p in phrases.get(lowered[i], ()) if tuple(lowered[i : i + len(p)]) == p), None
        )
        if match is None:
            i += 1
        else:
            found.append((i, match))
            i += len(match)
    return found


@pytest.mark.parametrize("name", ["hedges.txt", "boosters.txt"])
def test_phrase_matching_is_a_left_to_right_longest_match(name: str) -> None:
    import random

    from insight_atlas.engine import text_signals

    phrases = text_signals._phrase_list(name)
    vocabulary = sorted({w for group in phrases.values() for p in group for w in p})
    rng = random.Random(7)
    for _ in range(300):
        lowered = [rng.choice([*vocabulary, "table", "the"]) for _ in range(rng.randint(0, 30))]
        words = [w.upper() if rng.random() < 0.3 else w for w in lowered]
        expected = [" ".join(words[i : i + len(p)]) for i, p in _reference_scan(lowered, phrases)]
        assert text_signals._match_phrases(words, lowered, phrases) == expected
