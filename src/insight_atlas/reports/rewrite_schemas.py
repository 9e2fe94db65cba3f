"""Bodies of /v1/reports/{id}/rewrite."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field

from insight_atlas.validation import RequestModel

REWRITE_LABEL = "Rewritten by a language model"


class RewriteRequest(RequestModel):
    consent: bool = Field(description="true: I agree to the consent text of GET …/rewrite")
    consent_version: str = Field(min_length=1, max_length=32)
    endpoint_host: str | None = Field(
        default=None,
        max_length=255,
        description="The endpoint host the person was shown; refused if it has changed since",
    )


class RewrittenStatement(BaseModel):
    id: str = Field(description="`s1`, `s2`, …: the position in the report's narrative")
    text: str
    original: str


class RewriteRead(BaseModel):
    report_id: str
    label: str = REWRITE_LABEL
    model: str
    endpoint_host: str
    prompt_version: str
    created_at: dt.datetime
    statements: list[RewrittenStatement]


class RewriteStatus(BaseModel):
    available: bool
    endpoint_host: str | None
    model: str | None
    consent_purpose: str
    consent_version: str
    consent_text: str | None
    rewrite: RewriteRead | None
