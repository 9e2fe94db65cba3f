"""Typed report objects and their deterministic JSON form.

Every float is rounded when the report is built (``r2``/``r4``), and JSON is
written with sorted keys, so re-scoring the same input yields identical bytes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

import orjson

DISCLAIMER = "This report is a self-reflection aid, not a diagnosis."


def r2(x: float) -> float:
    return round(x, 2)


def r4(x: float) -> float:
    return round(x, 4)


class Interval(NamedTuple):
    # NamedTuple rather than a frozen dataclass: just as immutable, and several
    # times cheaper to construct, which matters at ~35 scales per report.
    level: float
    alpha: float
    alpha_status: str
    sem_raw: float
    sem_t: float
    raw_low: float
    raw_high: float
    t_low: float
    t_high: float

    def to_dict(self) -> dict[str, Any]:
        return self._asdict()


class ScaleScore(NamedTuple):
    key: str
    label: str
    kind: str
    parent: str | None
    raw: float
    items_answered: int
    items_total: int
    prorated: bool
    t: float | None
    percentile: float | None
    band: str | None
    interval: Interval | None

    def to_dict(self) -> dict[str, Any]:
        data = self._asdict()
        if self.interval is not None:
            data["interval"] = self.interval._asdict()
        return data


@dataclass(frozen=True, slots=True)
class UnscoredScale:
    key: str
    label: str
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {"key": self.key, "label": self.label, "reason": self.reason}


@dataclass(frozen=True, slots=True)
class NormInfo:
    version: str | None
    group_id: str | None
    group_label: str | None
    status: str
    reason: str
    # Only derived norms carry these; the keys are left out otherwise, so reports on
    # published norms keep their exact bytes.
    sample: str | None = None
    caveats: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "version": self.version,
            "group_id": self.group_id,
            "group_label": self.group_label,
            "status": self.status,
            "reason": self.reason,
        }
        if self.sample is not None:
            data["sample"] = self.sample
        if self.caveats:
            data["caveats"] = list(self.caveats)
        return data


@dataclass(frozen=True, slots=True)
class SectionResult:
    """Scores of one instrument (the main one or an add-on) within a report."""

    instrument_key: str
    instrument_version: str
    title: str
    normed: bool
    norms: NormInfo
    scales: tuple[ScaleScore, ...]
    unscored: tuple[UnscoredScale, ...]

    def scale(self, key: str) -> ScaleScore | None:
        for s in self.scales:
            if s.key == key:
                return s
        return None

    def to_dict(self) -> dict[str, Any]:
        return {
            "instrument": {
                "key": self.instrument_key,
                "version": self.instrument_version,
                "title": self.title,
                "normed": self.normed,
            },
            "norms": self.norms.to_dict(),
            "scales": [s.to_dict() for s in self.scales],
            "unscored_scales": [u.to_dict() for u in self.unscored],
        }


@dataclass(frozen=True, slots=True)
class ValidityIndex:
    name: str
    value: float | None
    threshold: str
    verdict: str
    citations: tuple[str, ...]
    detail: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "value": self.value,
            "threshold": self.threshold,
            "verdict": self.verdict,
            "citations": list(self.citations),
            "detail": self.detail,
        }


@dataclass(frozen=True, slots=True)
class ValidityPanel:
    overall: str
    reasons: tuple[str, ...]
    indices: tuple[ValidityIndex, ...]

    def index(self, name: str) -> ValidityIndex:
        for i in self.indices:
            if i.name == name:
                return i
        raise KeyError(name)

    def to_dict(self) -> dict[str, Any]:
        return {
            "overall": self.overall,
            "reasons": list(self.reasons),
            "indices": [i.to_dict() for i in self.indices],
        }


@dataclass(frozen=True, slots=True)
class TextSignal:
    name: str
    value: float
    meaning: str
    evidence: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "value": self.value,
            "meaning": self.meaning,
            "evidence": list(self.evidence),
        }


@dataclass(frozen=True, slots=True)
class TextSignals:
    label: str
    char_count: int
    word_count: int
    sentence_count: int
    signals: tuple[TextSignal, ...]
    resources: tuple[str, ...]

    def signal(self, name: str) -> TextSignal:
        for s in self.signals:
            if s.name == name:
                return s
        raise KeyError(name)

    def to_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "char_count": self.char_count,
            "word_count": self.word_count,
            "sentence_count": self.sentence_count,
            "signals": [s.to_dict() for s in self.signals],
            "resources": list(self.resources),
        }


@dataclass(frozen=True, slots=True)
class Statement:
    kind: str
    text: str
    scales: tuple[str, ...]
    items: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "text": self.text,
            "evidence": {"scales": list(self.scales), "items": list(self.items)},
        }


@dataclass(frozen=True, slots=True)
class ScoredReport:
    engine_version: str
    main: SectionResult
    addons: tuple[SectionResult, ...]
    answers: tuple[tuple[str, int], ...]
    demographics: tuple[tuple[str, Any], ...]
    validity: ValidityPanel
    text_signals: TextSignals | None
    narrative: tuple[Statement, ...]
    narrative_version: str
    method: tuple[tuple[str, Any], ...]
    citations: tuple[tuple[str, str], ...]
    disclaimer: str = DISCLAIMER

    def to_dict(self) -> dict[str, Any]:
        main = self.main.to_dict()
        return {
            "engine_version": self.engine_version,
            "instrument": main["instrument"],
            "norms": main["norms"],
            "scales": main["scales"],
            "unscored_scales": main["unscored_scales"],
            "addons": {a.instrument_key: a.to_dict() for a in self.addons},
            "answers": dict(self.answers),
            "demographics": dict(self.demographics),
            "validity": self.validity.to_dict(),
            "text_signals": self.text_signals.to_dict() if self.text_signals else None,
            "narrative": {
                "version": self.narrative_version,
                "statements": [s.to_dict() for s in self.narrative],
            },
            "method": dict(self.method),
            "citations": dict(self.citations),
            "disclaimer": self.disclaimer,
        }

    def to_json(self) -> bytes:
        return orjson.dumps(self.to_dict(), option=orjson.OPT_SORT_KEYS)
