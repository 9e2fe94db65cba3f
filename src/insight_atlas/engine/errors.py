"""Typed errors raised by the assessment engine.

Callers (API, CLI) map these to user-facing messages, so each carries the
offending details as data rather than only as prose.
"""

from __future__ import annotations


class AssessmentError(Exception):
    """Base class for every error the assessment engine raises on bad input."""


class UnknownInstrumentError(AssessmentError):
    def __init__(self, key: str, known: list[str]) -> None:
        self.key = key
        self.known = known
        super().__init__(f"unknown instrument {key!r}; known instruments: {', '.join(known)}")


class AnswerError(AssessmentError):
    """Answers contain unknown item ids or values outside the answer scale."""

    def __init__(
        self,
        *,
        unknown_item_ids: list[str] | None = None,
        invalid_values: dict[str, object] | None = None,
        message: str | None = None,
    ) -> None:
        self.unknown_item_ids = sorted(unknown_item_ids or [])
        self.invalid_values = dict(sorted((invalid_values or {}).items()))
        parts: list[str] = []
        if message:
            parts.append(message)
        if self.unknown_item_ids:
            parts.append(f"unknown item ids: {', '.join(self.unknown_item_ids)}")
        if self.invalid_values:
            shown = ", ".join(f"{k}={v!r}" for k, v in self.invalid_values.items())
            parts.append(f"answers must be integers 1..5: {shown}")
        super().__init__("; ".join(parts) or "invalid answers")


class DemographicsError(AssessmentError):
    """Demographics are present but not usable (unknown sex, impossible age)."""


class TimingError(AssessmentError):
    """Response timings are malformed."""


class FreeTextError(AssessmentError):
    """Free text is not a string or exceeds the length cap."""
