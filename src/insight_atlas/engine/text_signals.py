"""Exploratory style signals from optional free text.

The signals describe how something was written, not who wrote it, and they
never feed into questionnaire scores. Every signal carries the words or
sentences that produced it so a reader can check it.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable
from importlib import resources
from typing import Any

from .errors import FreeTextError
from .report import TextSignal, TextSignals, r2, r4
from .sentiment import SentenceSentiment

MAX_FREE_TEXT_CHARS = 5000
EVIDENCE_LIMIT = 12

_WORD_RE = re.compile(r"[A-Za-z]+(?:'[A-Za-z]+)?")
_SENTENCE_SPLIT_RE = re.compile(r"(?<=[.!?])\s+|\n+")
_VOWEL_GROUP_RE = re.compile(r"[aeiouy]+")

FIRST_SINGULAR = frozenset({"i", "me", "my", "mine", "myself", "i'm", "i've", "i'd", "i'll"})
FIRST_PLURAL = frozenset(
    {"we", "us", "our", "ours", "ourselves", "we're", "we've", "we'd", "we'll"}
)

RESOURCES = (
    "VADER sentiment: Hutto, C. J., & Gilbert, E. (2014). VADER: A parsimonious rule-based "
    "model for sentiment analysis of social media text. Proceedings of ICWSM-14 "
    "(vaderSentiment 3.3.2 lexicon).",
    "Readability: Flesch, R. (1948). A new readability yardstick. Journal of Applied "
    "Psychology, 32(3), 221-233; Kincaid, J. P., Fishburne, R. P., Rogers, R. L., & "
    "Chissom, B. S. (1975). Derivation of new readability formulas for Navy enlisted "
    "personnel (Research Branch Report 8-75).",
    "Hedges and boosters: word lists selected from Hyland, K. (2005). Metadiscourse: "
    "Exploring Interaction in Writing. London: Continuum.",
    "Pronoun rates: first-person singular and plural pronoun forms as counted in "
    "Pennebaker, J. W. (2011). The Secret Life of Pronouns. Bloomsbury.",
)


def _resource_text(name: str) -> str:
    return resources.files(__package__).joinpath("resources").joinpath(name).read_text("utf-8")


PhraseIndex = dict[str, tuple[tuple[str, ...], ...]]


@functools.cache
def _phrase_list(name: str) -> PhraseIndex:
    """Phrases grouped by first word, longest first, so "of course" wins over "of"."""
    grouped: dict[str, list[tuple[str, ...]]] = {}
    for line in _resource_text(name).splitlines():
        line = line.strip().lower()
        if line and not line.startswith("#"):
            phrase = tuple(line.split())
            grouped.setdefault(phrase[0], []).append(phrase)
    return {k: tuple(sorted(v, key=lambda p: (-len(p), p))) for k, v in grouped.items()}


@functools.cache
def _emotion_lexicon() -> tuple[str, dict[str, frozenset[str]]]:
    data: dict[str, Any] = json.loads(_resource_text("emotion_words.json"))
    cats = {k: frozenset(v) for k, v in data["categories"].items()}
    return data["citation"], cats


_CLASS_ORDER = ("singular", "plural", "anger", "disgust", "fear", "joy", "sadness", "surprise")


@functools.cache
def _word_classes() -> dict[str, str]:
    """Lower-case word -> pronoun class or emotion category (first listed wins)."""
    classes: dict[str, str] = {}
    for w in FIRST_SINGULAR:
        classes[w] = "singular"
    for w in FIRST_PLURAL:
        classes[w] = "plural"
    for category, vocab in sorted(_emotion_lexicon()[1].items()):
        for w in vocab:
            classes.setdefault(w, category)
    return classes


@functools.cache
def sentiment_analyzer() -> SentenceSentiment:
    """VADER's sentence scorer, built once per process (loading its lexicon is the slow
    part)."""
    from vaderSentiment import vaderSentiment

    return SentenceSentiment(vaderSentiment.SentimentIntensityAnalyzer())


@functools.lru_cache(maxsize=65536)
def count_syllables(word: str) -> int:
    """Vowel-group heuristic: count groups of a/e/i/o/u/y, drop a silent final 'e'
    (but keep '-le' as in 'table'), minimum one syllable per word."""
    w = word.lower().replace("'", "")
    groups = len(_VOWEL_GROUP_RE.findall(w))
    if w.endswith("e") and not w.endswith(("le", "ee", "ye")) and groups > 1:
        groups -= 1
    return max(1, groups)


def _dedupe(values: Iterable[str]) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for v in values:
        if v not in seen:
            seen[v] = None
            if len(seen) >= EVIDENCE_LIMIT:
                break
    return tuple(seen)


def _match_phrases(words: list[str], lowered: list[str], phrases: PhraseIndex) -> list[str]:
    """Return matched phrases as written in the text, scanning left to right."""
    found: list[str] = []
    free_from = 0  # words before this index belong to a phrase already found
    for i in [i for i, word in enumerate(lowered) if word in phrases]:
        if i < free_from:
            continue
        for phrase in phrases[lowered[i]]:
            k = len(phrase)
            if k == 1 or tuple(lowered[i : i + k]) == phrase:
                found.append(" ".join(words[i : i + k]))
                free_from = i + k
                break
    return found


def _rate(count: int, words: int) -> float:
    return r2(100.0 * count / words) if words else 0.0


def _sentiment_signal(sentences: list[str], words: list[str]) -> TextSignal:
    analyzer = sentiment_analyzer()
    lexicon = analyzer.lexicon
    scored = [(analyzer.compound(s), s) for s in sentences]
    compound = sum(c for c, _ in scored) / len(scored) if scored else 0.0
    hits = [w for w in words if w.lower() in lexicon]
    hits.sort(key=lambda w: -abs(lexicon[w.lower()]))
    extremes = sorted(scored, key=lambda cs: cs[0])
    evidence: list[str] = list(_dedupe(hits))
    if extremes and extremes[-1][0] > 0.05:
        evidence.append(extremes[-1][1])
    if extremes and extremes[0][0] < -0.05:
        evidence.append(extremes[0][1])
    if compound >= 0.05:
        tone = "leans positive"
    elif compound <= -0.05:
        tone = "leans negative"
    else:
        tone = "reads as neutral"
    meaning = (
        f"Average VADER compound score of the sentences (-1 to +1); the wording {tone}. "
        "Evidence: sentiment-bearing words, then the most positive and most negative sentence."
    )
    return TextSignal("sentiment", r4(compound), meaning, tuple(evidence))


def analyse_text(text: str) -> TextSignals | None:
    """Style signals for ``text``; None when there is no text to analyse."""
    if not isinstance(text, str):
        raise FreeTextError("free_text must be a string")
    if len(text) > MAX_FREE_TEXT_CHARS:
        raise FreeTextError(
            f"free_text is {len(text)} characters; the limit is {MAX_FREE_TEXT_CHARS}"
        )
    words = _WORD_RE.findall(text)
    if not words:
        return None
    lowered = [w.lower() for w in words]
    sentences = [s.strip() for s in _SENTENCE_SPLIT_RE.split(text) if _WORD_RE.search(s)]
    n_words, n_sent = len(words), max(1, len(sentences))
    syllables = [count_syllables(w) for w in words]
    wps = n_words / n_sent
    spw = sum(syllables) / n_words
    longest_sentence = max(sentences, key=len) if sentences else text.strip()
    long_words = _dedupe(
        w for w, s in sorted(zip(words, syllables, strict=True), key=lambda ws: -ws[1]) if s >= 3
    )
    readability_evidence = (longest_sentence, *long_words)
    signals = [
        _sentiment_signal(sentences, words),
        TextSignal(
            "flesch_reading_ease",
            r2(206.835 - 1.015 * wps - 84.6 * spw),
            f"Flesch reading ease (higher is easier; 60-70 is plain English). "
            f"{n_words} words, {n_sent} sentences, {sum(syllables)} syllables (estimated). "
            "Evidence: the longest sentence, then words of three or more syllables.",
            readability_evidence,
        ),
        TextSignal(
            "flesch_kincaid_grade",
            r2(0.39 * wps + 11.8 * spw - 15.59),
            "Flesch-Kincaid grade level: the approximate US school grade needed to follow "
            "the text. Evidence as for reading ease.",
            readability_evidence,
        ),
    ]
    hedges = _match_phrases(words, lowered, _phrase_list("hedges.txt"))
    boosters = _match_phrases(words, lowered, _phrase_list("boosters.txt"))
    signals.append(
        TextSignal(
            "hedging_rate",
            _rate(len(hedges), n_words),
            "Hedging words or phrases per 100 words (tentative wording such as 'maybe').",
            _dedupe(hedges),
        )
    )
    signals.append(
        TextSignal(
            "certainty_rate",
            _rate(len(boosters), n_words),
            "Certainty markers per 100 words (emphatic wording such as 'definitely').",
            _dedupe(boosters),
        )
    )
    # One pass over the words for pronouns and emotion categories.
    emotion_citation, categories = _emotion_lexicon()
    word_class = _word_classes()
    hits_by_class: dict[str, list[str]] = {c: [] for c in _CLASS_ORDER}
    for w, lw in zip(words, lowered, strict=True):
        cls = word_class.get(lw)
        if cls is not None:
            hits_by_class[cls].append(w)
    singular, plural = hits_by_class["singular"], hits_by_class["plural"]
    signals.append(
        TextSignal(
            "first_person_singular_rate",
            _rate(len(singular), n_words),
            "First-person singular pronouns (I, me, my...) per 100 words.",
            _dedupe(singular),
        )
    )
    signals.append(
        TextSignal(
            "first_person_plural_rate",
            _rate(len(plural), n_words),
            "First-person plural pronouns (we, us, our...) per 100 words.",
            _dedupe(plural),
        )
    )
    for category in sorted(categories):
        hits = hits_by_class[category]
        signals.append(
            TextSignal(
                f"emotion_words_{category}",
                _rate(len(hits), n_words),
                f"Words naming or expressing {category} per 100 words (small word list).",
                _dedupe(hits),
            )
        )
    return TextSignals(
        label="exploratory",
        char_count=len(text),
        word_count=n_words,
        sentence_count=len(sentences),
        signals=tuple(signals),
        resources=(*RESOURCES, "Emotion words: " + emotion_citation),
    )
