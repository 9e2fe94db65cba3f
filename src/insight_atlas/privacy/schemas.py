"""Bodies of the privacy endpoints."""

from __future__ import annotations

from pydantic import BaseModel, Field

from insight_atlas.validation import RequestModel


class DeleteAccountRequest(RequestModel):
    password: str = Field(min_length=1, max_length=256)


class PurgeResult(BaseModel):
    assessments_deleted: int
    reports_deleted: int
    share_links_deleted: int
