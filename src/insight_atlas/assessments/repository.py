"""Read queries over assessments and reports for operators' tools."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from insight_atlas.assessments.models import STATUS_SUBMITTED, Assessment, Report


@dataclass(frozen=True, slots=True)
class AssessmentCounts:
    assessments: int
    submitted: int
    reports: int


async def counts_for_user(connection: AsyncConnection, user_id: int) -> AssessmentCounts:
    assessments = await connection.scalar(
        select(func.count()).select_from(Assessment).where(Assessment.user_id == user_id)
    )
    submitted = await connection.scalar(
        select(func.count())
        .select_from(Assessment)
        .where(Assessment.user_id == user_id, Assessment.status == STATUS_SUBMITTED)
    )
    reports = await connection.scalar(
        select(func.count()).select_from(Report).where(Report.user_id == user_id)
    )
    return AssessmentCounts(int(assessments or 0), int(submitted or 0), int(reports or 0))
