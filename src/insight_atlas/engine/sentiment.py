"""VADER's compound sentiment score of one sentence (Hutto & Gilbert, 2014).

The text signals need one number per sentence: VADER's compound score. The
vaderSentiment package computes it together with three proportions the report does not
use, and re-lowers the whole sentence for every rule it checks around every sentiment
word; on a 300-word text that was about half of scoring a submission.

`SentenceSentiment` applies VADER's rules (lexicon valence, "no" and negation words,
boosters and dampeners with distance damping, ALL-CAPS emphasis, "never so", "without
doubt", idioms, "least", the contrastive "but", and "!"/"?" emphasis) over token lists
built once per sentence. It reads the lexicon, booster, negation and idiom tables from
the package itself, so both always use the same data, and a test compares the two on
thousands of generated sentences: the scores are equal, not close. Sentences with
non-ASCII characters, where VADER first turns emoji into words, are scored by the
package.
"""

from __future__ import annotations

import math
import string
from collections.abc import Mapping
from typing import Any

from vaderSentiment import vaderSentiment as vader

# The rule constants of Hutto & Gilbert (2014), as vaderSentiment 3.3.2 applies them.
NEGATION_SCALAR: float = vader.N_SCALAR  # a negated valence is multiplied by -0.74
CAPS_INCREMENT: float = vader.C_INCR  # an ALL-CAPS word among mixed case adds 0.733
BOOSTER_DAMPING = (1.0, 0.95, 0.9)  # a booster one, two or three words before
NEVER_SO_FACTOR = 1.25  # "never so good", "so good"
EXCLAMATION_STEP, EXCLAMATION_MAX = 0.292, 4
QUESTION_STEP, QUESTION_MAX_STEPPED, QUESTION_CAP = 0.18, 3, 0.96
NORMALISATION_ALPHA = 15
BUT_BEFORE, BUT_AFTER = 0.5, 1.5
_PUNCTUATION = string.punctuation
_SO_THIS = frozenset({"so", "this"})
_OR_NOR = frozenset({"or", "nor"})


class SentenceSentiment:
    """Scores sentences with the tables of one vaderSentiment analyser (built once per
    process, see text_signals.sentiment_analyzer)."""

    def __init__(self, analyzer: Any) -> None:
        self._analyzer = analyzer
        self.lexicon: Mapping[str, float] = analyzer.lexicon
        self._boosters: Mapping[str, float] = vader.BOOSTER_DICT
        self._negations = frozenset(vader.NEGATE)
        self._idioms: Mapping[str, float] = vader.SPECIAL_CASES
        # Idioms and multi-word boosters are matched as space-joined word sequences, so
        # only a window holding one of their words can match.
        self._idiom_words = frozenset(
            word
            for phrase in (*self._idioms, *self._boosters)
            if " " in phrase
            for word in phrase.split()
        )

    def compound(self, sentence: str) -> float:
        """VADER's compound score of `sentence`, from -1 to +1, rounded to 4 places."""
        if not sentence.isascii():
            scores: dict[str, float] = self._analyzer.polarity_scores(sentence)
            return scores["compound"]
        text = sentence.strip()
        lexicon, boosters = self.lexicon, self._boosters
        # VADER's tokens: words without surrounding punctuation, unless that leaves two
        # characters or fewer (an emoticon such as ":)" is kept whole).
        tokens = [
            word if len(stripped := word.strip(_PUNCTUATION)) <= 2 else stripped
            for word in text.split()
        ]
        lowered = [token.lower() for token in tokens]
        scored = [
            i
            for i, low in enumerate(lowered)
            if low in lexicon
            and low not in boosters
            and not (low == "kind" and lowered[i + 1 : i + 2] == ["of"])
        ]
        if not scored:
            return 0.0
        uppercase = sum(1 for token in tokens if token.isupper())
        caps_stand_out = 0 < len(tokens) - uppercase < len(tokens)
        valences = [0.0] * len(tokens)
        for i in scored:
            valences[i] = self._valence(i, tokens, lowered, caps_stand_out)
        if "but" in lowered:
            _weigh_around_but(valences, lowered.index("but"))
        total = float(sum(valences))
        if total == 0:
            return 0.0
        emphasis = _punctuation_emphasis(text)
        total = total + emphasis if total > 0 else total - emphasis
        compound = total / math.sqrt(total * total + NORMALISATION_ALPHA)
        return round(max(-1.0, min(1.0, compound)), 4)

    def _negated(self, lowered_word: str) -> bool:
        return lowered_word in self._negations or "n't" in lowered_word

    def _valence(self, i: int, tokens: list[str], lowered: list[str], caps: bool) -> float:
        lexicon = self.lexicon
        word = lowered[i]
        valence = lexicon[word]
        # "no" before another sentiment word negates that word instead of scoring itself.
        if word == "no" and i + 1 < len(lowered) and lowered[i + 1] in lexicon:
            valence = 0.0
        if (
            (i > 0 and lowered[i - 1] == "no")
            or (i > 1 and lowered[i - 2] == "no")
            or (i > 2 and lowered[i - 3] == "no" and lowered[i - 1] in _OR_NOR)
        ):
            valence = lexicon[word] * NEGATION_SCALAR
        if caps and tokens[i].isupper():
            valence = valence + CAPS_INCREMENT if valence > 0 else valence - CAPS_INCREMENT
        # The three words before, nearest first. A position holding another sentiment
        # word is skipped: there it counts as neither booster, negation nor idiom.
        for back in (1, 2, 3):
            if i < back:
                break
            before = lowered[i - back]
            if before in lexicon:
                continue
            boost = self._boosters.get(before)
            if boost is not None:
                if valence < 0:
                    boost = -boost
                if caps and tokens[i - back].isupper():
                    boost = boost + CAPS_INCREMENT if valence > 0 else boost - CAPS_INCREMENT
                if back > 1 and boost != 0:
                    boost = boost * BOOSTER_DAMPING[back - 1]
                valence = valence + boost
            valence = self._negation_rule(valence, back, i, lowered)
            if back == 3:
                valence = self._idiom_rule(valence, i, lowered)
        if i > 0 and lowered[i - 1] == "least" and "least" not in lexicon:
            # "least good" is negated; "at least good" and "very least good" are not.
            if i == 1 or lowered[i - 2] not in ("at", "very"):
                valence = valence * NEGATION_SCALAR
        return valence

    def _negation_rule(self, valence: float, back: int, i: int, lowered: list[str]) -> float:
        before = lowered[i - back]
        if back == 1:
            return valence * NEGATION_SCALAR if self._negated(before) else valence
        if back == 2:
            nearest = lowered[i - 1]
            if before == "never" and nearest in _SO_THIS:
                return valence * NEVER_SO_FACTOR
            if before == "without" and nearest == "doubt":
                return valence
            return valence * NEGATION_SCALAR if self._negated(before) else valence
        middle, nearest = lowered[i - 2], lowered[i - 1]
        if (before == "never" and middle in _SO_THIS) or nearest in _SO_THIS:
            return valence * NEVER_SO_FACTOR
        if before == "without" and "doubt" in (middle, nearest):
            return valence
        return valence * NEGATION_SCALAR if self._negated(before) else valence

    def _idiom_rule(self, valence: float, i: int, lowered: list[str]) -> float:
        """Idioms around the word replace its valence; "kind of" and the like before it
        add their booster value."""
        window = lowered[i - 3 : i + 3]
        if self._idiom_words.isdisjoint(window):
            return valence
        idioms, boosters = self._idioms, self._boosters
        w3, w2, w1, w0 = lowered[i - 3], lowered[i - 2], lowered[i - 1], lowered[i]
        three_two_one, three_two, two_one = f"{w3} {w2} {w1}", f"{w3} {w2}", f"{w2} {w1}"
        for phrase in (f"{w1} {w0}", f"{w2} {w1} {w0}", two_one, three_two_one, three_two):
            if phrase in idioms:
                valence = idioms[phrase]
                break
        if i + 1 < len(lowered):
            phrase = f"{w0} {lowered[i + 1]}"
            if phrase in idioms:
                valence = idioms[phrase]
        if i + 2 < len(lowered):
            phrase = f"{w0} {lowered[i + 1]} {lowered[i + 2]}"
            if phrase in idioms:
                valence = idioms[phrase]
        for phrase in (three_two_one, three_two, two_one):
            if phrase in boosters:
                valence = valence + boosters[phrase]
        return valence


def _weigh_around_but(valences: list[float], but_index: int) -> None:
    """The contrastive "but": valences before it count half, after it one and a half.

    As in VADER, each value is found again by equality (the first equal value is the
    one changed), so repeated values are weighed as VADER weighs them."""
    for position in range(len(valences)):
        value = valences[position]
        first = valences.index(value)
        if first < but_index:
            valences[first] = value * BUT_BEFORE
        elif first > but_index:
            valences[first] = value * BUT_AFTER


def _punctuation_emphasis(text: str) -> float:
    exclamations = min(text.count("!"), EXCLAMATION_MAX)
    questions = text.count("?")
    emphasis = exclamations * EXCLAMATION_STEP
    if questions > 1:
        emphasis += questions * QUESTION_STEP if questions <= QUESTION_MAX_STEPPED else QUESTION_CAP
    return emphasis
