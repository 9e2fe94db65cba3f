"""Response bodies of /v1/reports and share links."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field

from insight_atlas.validation import RequestModel


class ReportSummary(BaseModel):
    id: str
    assessment_id: str
    instrument: str
    instrument_version: str
    engine_version: str
    norms_version: str
    validity: str
    created_at: dt.datetime
    shared: bool


class ReportPage(BaseModel):
    items: list[ReportSummary]
    total: int
    limit: int
    offset: int


class ScaleChange(BaseModel):
    key: str
    label: str
    earlier_raw: float
    later_raw: float
    change_raw: float
    earlier_t: float | None
    later_t: float | None
    change_t: float | None
    standard_error_of_difference: float
    reliable_change_index: float
    reliable: bool = Field(description="|RCI| > 1.96: larger than measurement error (95%).")
    direction: str


class Comparison(BaseModel):
    instrument: str
    earlier_report_id: str
    later_report_id: str
    earlier_created_at: dt.datetime
    later_created_at: dt.datetime
    method: str
    citation: str
    scales: list[ScaleChange]
    not_compared: list[str]


class ShareRequest(RequestModel):
    expires_in_days: int | None = Field(default=None, ge=1, le=90)


class ShareLinkRead(BaseModel):
    token: str
    url: str
    expires_at: dt.datetime
