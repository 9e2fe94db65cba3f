"""VADER's compound score, computed by our sentence scorer: equal to vaderSentiment's."""

from __future__ import annotations

import random

import pytest
from vaderSentiment import vaderSentiment

from insight_atlas.engine.text_signals import sentiment_analyzer

# One sentence per rule, each checked against the package below.
RULE_CASES = [
    "The book was good.",
    "The book was not good.",
    "The book was never so good.",
    "It was without doubt good, so good.",
    "It isn't bad at all.",
    "No good deed, no bad idea, no love or hate.",
    "No problem.",
    "The book was VERY GOOD and fine.",
    "THE BOOK WAS GOOD.",
    "It was very good, extremely good and kind of good.",
    "It was sort of nice, just enough fun.",
    "The food was kind of bland.",
    "The plan was good, but the people were awful and sad.",
    "Least good. At least good. The very least good. Not the least bad.",
    "Least good at",
    "Least happy, very",
    "That movie was the bomb and a kiss of death to die for.",
    "Yeah right, the shit.",
    "Good!!! Really good!!!!!!",
    "Is it good?? Is it good???? Bad?",
    "Happy happy happy but sad sad good good.",
    # VADER finds each value again by equality: "acceptance" (2.0) halved before "but"
    # equals "advanced" (1.0) after it, so the first is halved again and the second is
    # never raised.
    "Acceptance but advanced.",
    ":) :( good, :-) sad...",
    "",
    "   ",
    "table chair window",
]


@pytest.fixture(scope="module")
def package() -> vaderSentiment.SentimentIntensityAnalyzer:
    return vaderSentiment.SentimentIntensityAnalyzer()


def _compound(package: vaderSentiment.SentimentIntensityAnalyzer, sentence: str) -> float:
    scores: dict[str, float] = package.polarity_scores(sentence)
    return scores["compound"]


@pytest.mark.parametrize("sentence", RULE_CASES)
def test_each_rule_scores_as_vader_does(
    package: vaderSentiment.SentimentIntensityAnalyzer, sentence: str
) -> None:
    assert sentiment_analyzer().compound(sentence) == _compound(package, sentence)


def test_the_rules_change_scores() -> None:
    """The cases above are not all neutral: each rule moves the score the way VADER says."""
    compound = sentiment_analyzer().compound
    good = compound("The book was good.")
    assert good > 0
    assert compound("The book was not good.") < 0
    assert compound("The book was very good.") > good
    assert compound("The book was kind of good.") < good
    assert compound("The book was GOOD.") > good
    assert compound("The book was good!!!") > good
    assert compound("The book was good, but the end was bad.") < compound(
        "The book was good, and the end was bad."
    )


def _generated_sentences(count: int, seed: int) -> list[str]:
    """Sentences dense in what VADER's rules look at: lexicon words, boosters, negations,
    idiom words, "no", "least", "but", ALL CAPS, punctuation and emoticons."""
    rng = random.Random(seed)
    lexicon = sorted(sentiment_analyzer().lexicon)
    rule_words = (
        "no not never so this without doubt but kind of sort least at very or nor the shit "
        "bomb bad ass bus stop yeah right kiss death to die for beating heart just enough "
        "isn't don't ain't I we it was table monday"
    ).split()
    pools = [
        (0.35, lexicon),
        (0.60, rule_words),
        (0.75, sorted(vaderSentiment.BOOSTER_DICT)),
        (1.00, list(vaderSentiment.NEGATE)),
    ]
    suffixes = ["", "", "", "", ",", ".", "!", "?", "!!", "??", "...", ":)", "'"]
    endings = ["", ".", "!", "?", "!!!", "???", "?!", "!!!!!"]

    def word() -> str:
        draw = rng.random()
        chosen = rng.choice(next(pool for bound, pool in pools if draw < bound))
        shape = rng.random()
        if shape < 0.1:
            chosen = chosen.upper()
        elif shape < 0.2:
            chosen = chosen.capitalize()
        return chosen + rng.choice(suffixes)

    return [
        " ".join(word() for _ in range(rng.randint(1, 18))) + rng.choice(endings)
        for _ in range(count)
    ]


def test_generated_sentences_score_exactly_as_vader_does(
    package: vaderSentiment.SentimentIntensityAnalyzer,
) -> None:
    sentences = _generated_sentences(6000, seed=20261126)
    ours = sentiment_analyzer()
    scores = [ours.compound(s) for s in sentences]
    expected = [_compound(package, s) for s in sentences]
    different = [
        (s, got, want)
        for s, got, want in zip(sentences, scores, expected, strict=True)
        if got != want
    ]
    assert different == []
    # The corpus reaches the rules: most sentences score, both ways, "but" included.
    assert sum(1 for s in scores if s > 0) > 1000 and sum(1 for s in scores if s < 0) > 1000
    assert sum(1 for s in sentences if " but" in s.lower()) > 200


def test_non_ascii_sentences_are_scored_by_the_package(
    package: vaderSentiment.SentimentIntensityAnalyzer,
) -> None:
    for sentence in [
        "Catch emoji such as 💘 and 😁",
        "Le café était très bon 😀!",
        "naïve but happy",
    ]:
        assert sentiment_analyzer().compound(sentence) == _compound(package, sentence)
    assert sentiment_analyzer().compound("I love this 😁") > 0
