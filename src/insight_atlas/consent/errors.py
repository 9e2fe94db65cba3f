"""Errors of asking for consent."""

from __future__ import annotations

from insight_atlas.errors import AppError


class ConsentRequired(AppError):
    code = "consent_required"
    status_code = 400
