"""Request and response bodies of /v1/instruments and /v1/assessments."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, StrictInt

from insight_atlas.assessments.models import AssessmentStatus
from insight_atlas.validation import RequestModel


class _Strict(RequestModel):
    pass


class AnswerOption(BaseModel):
    value: int
    label: str


class ItemRead(BaseModel):
    id: str
    number: int
    text: str
    scale: str


class ScaleRead(BaseModel):
    key: str
    label: str
    kind: str


class InstrumentSummary(BaseModel):
    key: str
    title: str
    version: str
    plan: str
    estimated_minutes: int
    item_count: int
    normed: bool
    add_on: bool = Field(description="Answered together with another instrument.")


class InstrumentRead(InstrumentSummary):
    answer_scale: list[AnswerOption]
    items: list[ItemRead]
    scales: list[ScaleRead]
    citations: dict[str, str]
    norms_version: str | None


class ConsentRead(BaseModel):
    purpose: str
    version: str
    text: str


class StartAssessment(_Strict):
    instrument: str = Field(min_length=1, max_length=64)
    consent_version: str | None = Field(
        default=None, max_length=32, description="The consent text version the person accepted."
    )
    include_work_style: bool = False
    sex: Literal["female", "male"] | None = None
    age: int | None = Field(default=None, ge=10, le=120)


# Item ids are short (the longest shipped is 14 characters); the bound keeps what an
# error message echoes of an unknown id short too.
ItemId = Annotated[str, Field(min_length=1, max_length=64)]
# Checked when saved, not first at submit: a stored negative or non-finite time would
# only fail the submission, long after the client that sent it could correct it.
Seconds = Annotated[float, Field(ge=0, le=86_400, allow_inf_nan=False)]
# More entries than any instrument has items (with its add-on) can only be mistakes.
MAX_ENTRIES = 1000


class PageTiming(_Strict):
    item_ids: list[ItemId] = Field(min_length=1, max_length=200)
    seconds: Seconds


class SaveResponses(_Strict):
    answers: dict[ItemId, StrictInt | None] = Field(
        default_factory=dict,
        max_length=MAX_ENTRIES,
        description="Item id → 1..5; null clears an answer.",
    )
    item_seconds: dict[ItemId, Seconds] = Field(
        default_factory=dict,
        max_length=MAX_ENTRIES,
        description="Seconds spent per item, 0 to 86,400 (optional).",
    )
    pages: list[PageTiming] | None = Field(
        default=None, max_length=200, description="Seconds per page; replaces earlier pages."
    )
    free_text: str | None = Field(
        default=None, description="Optional reflection; omitted keeps, empty string clears."
    )


class AssessmentRead(BaseModel):
    id: str
    instrument: str
    instrument_version: str
    include_work_style: bool
    status: AssessmentStatus
    sex: str | None
    age: int | None
    answers: dict[str, int]
    item_seconds: dict[str, float]
    pages: list[dict[str, Any]]
    free_text: str | None
    answered: int
    total_items: int
    unanswered: list[str]
    consent_version: str | None
    free_text_max_chars: int = Field(description="The longest free text this API accepts.")
    report_id: str | None
    created_at: dt.datetime
    updated_at: dt.datetime
    submitted_at: dt.datetime | None


class AssessmentSummary(BaseModel):
    id: str
    instrument: str
    instrument_version: str
    include_work_style: bool
    status: AssessmentStatus
    answered: int
    total_items: int
    report_id: str | None = Field(description="The report of a submitted assessment.")
    created_at: dt.datetime
    updated_at: dt.datetime
    submitted_at: dt.datetime | None


class AssessmentPage(BaseModel):
    items: list[AssessmentSummary]
    total: int
    limit: int
    offset: int
