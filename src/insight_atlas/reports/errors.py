"""Errors of the report flows."""

from __future__ import annotations

from insight_atlas.errors import AppError, NotFound


class ReportNotFound(NotFound):
    code = "not_found"
    message = "No such report."


class NotComparable(AppError):
    code = "not_comparable"
    status_code = 422
