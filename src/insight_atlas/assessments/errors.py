"""Errors of the assessment and report flows."""

from __future__ import annotations

from insight_atlas.consent.errors import ConsentRequired
from insight_atlas.errors import AppError, Conflict, NotFound


class AssessmentNotFound(NotFound):
    code = "not_found"
    message = "No such assessment."


class AlreadySubmitted(Conflict):
    code = "already_submitted"
    message = "This assessment was already submitted; its report cannot change."


class InvalidResponses(AppError):
    code = "invalid_responses"
    status_code = 422


class IncompleteAssessment(AppError):
    code = "incomplete_assessment"
    status_code = 422


class UnknownInstrument(NotFound):
    code = "unknown_instrument"


__all__ = [
    "AlreadySubmitted",
    "AssessmentNotFound",
    "ConsentRequired",
    "IncompleteAssessment",
    "InvalidResponses",
    "UnknownInstrument",
]
