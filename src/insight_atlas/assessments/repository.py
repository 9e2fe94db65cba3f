"""Queries of assessments, and the statements of the submit path (the busiest write)."""

from __future__ import annotations

from typing import Any, NamedTuple, cast

from sqlalchemy import Table, and_, bindparam, delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from insight_atlas.accounts.models import User
from insight_atlas.accounts.repository import principal_query
from insight_atlas.assessments.models import Assessment, AssessmentStatus
from insight_atlas.consent.models import ConsentRecord
from insight_atlas.db import HotStatement, RowByName
from insight_atlas.reports.models import Report


class PendingSubmission(NamedTuple):
    """What a submission reads of its assessment: plain values, no ORM object."""

    id: str
    instrument_key: str
    include_work_style: bool
    status: str
    sex: str | None
    age: int | None
    answers: dict[str, Any]
    timings: dict[str, Any]
    free_text_ciphertext: bytes | None


_assessment = cast(Table, Assessment.__table__)
_report = cast(Table, Report.__table__)

# Core, not the ORM, on the submit path: one object's unit of work costs two statements'
# worth of CPU, and statements are built here once (building costs more than running).
#
# The submit route's sign-in check (accounts' principal query) reads the assessment in
# the same round trip: an outer join, so a sign-in that is alive with no such assessment
# of the caller's still gives its row (401 first, then 404). Parameters: `user_id`,
# `session_id`, `assessment_id`.
_SUBMISSION_PREFIX = "submission__"
SUBMITTER = HotStatement(
    principal_query()
    .add_columns(
        *(
            _assessment.c[name].label(_SUBMISSION_PREFIX + name)
            for name in PendingSubmission._fields
        )
    )
    .outerjoin(
        _assessment,
        and_(
            _assessment.c.id == bindparam("assessment_id", type_=_assessment.c.id.type),
            _assessment.c.user_id == cast(Table, User.__table__).c.id,
        ),
    )
)
_SUBMISSION_LABELS = tuple(_SUBMISSION_PREFIX + name for name in PendingSubmission._fields)


def submission_of(row: RowByName) -> PendingSubmission | None:
    """The assessment's columns of a `SUBMITTER` row, or None if there is no such
    assessment of the caller's."""
    if row[_SUBMISSION_LABELS[0]] is None:
        return None
    return PendingSubmission(*(row[label] for label in _SUBMISSION_LABELS))


# The status condition makes two concurrent submissions of one assessment safe: only one
# of them finds it in progress; the other claims nothing, writes nothing, answers 409.
_claim = (
    update(_assessment)
    .where(
        _assessment.c.id == bindparam("assessment_id"),
        _assessment.c.status == AssessmentStatus.IN_PROGRESS,
    )
    .values(
        status=AssessmentStatus.SUBMITTED,
        submitted_at=bindparam("created_at_", type_=_report.c.created_at.type),
        updated_at=bindparam("created_at_", type_=_report.c.created_at.type),
    )
)
_CLAIM = HotStatement(_claim)
_INSERT_REPORT = HotStatement(insert(_report))
# On PostgreSQL the claim and the insert are one statement (one round trip), as atomic as
# the two: the report row is inserted from the claimed row, so no claim, no report.
_claimed = _claim.returning(_assessment.c.id).cte("claimed")
_REPORT_COLUMNS = [column.name for column in _report.c]
_CLAIM_AND_INSERT_REPORT = HotStatement(
    insert(_report).from_select(
        _REPORT_COLUMNS,
        select(
            *(
                _claimed.c.id
                if name == "assessment_id"
                else bindparam(name, type_=_report.c[name].type)
                for name in _REPORT_COLUMNS
            )
        ).select_from(_claimed),
    )
)


async def claim_and_insert_report(session: AsyncSession, report: dict[str, Any]) -> bool:
    """Mark the assessment submitted and insert its report (a dict of every report column),
    if it was still in progress; False (nothing written) if another submission was first."""
    claim = {"assessment_id": report["assessment_id"], "created_at_": report["created_at"]}
    if session.get_bind().dialect.name == "postgresql":
        return await _CLAIM_AND_INSERT_REPORT.rowcount(session, {**report, **claim}) == 1
    # SQLite has no data-modifying WITH: the two statements, in the request's transaction.
    # (Only the claim's own parameters: an UPDATE given a column's name as a parameter
    # would set that column too.)
    if await _CLAIM.rowcount(session, claim) != 1:
        return False
    await _INSERT_REPORT.rowcount(session, report)
    return True


async def owned(session: AsyncSession, user_id: int, assessment_id: str) -> Assessment | None:
    return await session.scalar(
        select(Assessment).where(Assessment.id == assessment_id, Assessment.user_id == user_id)
    )


async def count_mine(session: AsyncSession, user_id: int, status: str | None) -> int:
    mine = Assessment.user_id == user_id
    if status is not None:
        mine = mine & (Assessment.status == status)
    return await session.scalar(select(func.count()).select_from(Assessment).where(mine)) or 0


async def page_of_mine(
    session: AsyncSession, user_id: int, status: str | None, *, limit: int, offset: int
) -> list[tuple[Assessment, str | None]]:
    """Newest first, each with its report's id (None while in progress)."""
    mine = Assessment.user_id == user_id
    if status is not None:
        mine = mine & (Assessment.status == status)
    rows = await session.execute(
        select(Assessment, Report.id)
        .outerjoin(Report, Report.assessment_id == Assessment.id)
        .where(mine)
        .order_by(Assessment.created_at.desc(), Assessment.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return [(assessment, report_id) for assessment, report_id in rows]


async def report_id_of(session: AsyncSession, assessment_id: str) -> str | None:
    return await session.scalar(select(Report.id).where(Report.assessment_id == assessment_id))


async def consent_version(session: AsyncSession, consent_id: int) -> str | None:
    return await session.scalar(select(ConsentRecord.version).where(ConsentRecord.id == consent_id))


async def delete_assessment(session: AsyncSession, assessment_id: str) -> None:
    """The assessment, and with it (foreign keys, ON DELETE CASCADE) its report and links."""
    await session.execute(delete(Assessment).where(Assessment.id == assessment_id))


class AssessmentCounts(NamedTuple):
    """How much a user has done, for operators' tools (`atlas admin user show`)."""

    assessments: int
    submitted: int
    reports: int


async def counts_for_user(connection: AsyncConnection, user_id: int) -> AssessmentCounts:
    assessments = await connection.scalar(
        select(func.count()).select_from(_assessment).where(_assessment.c.user_id == user_id)
    )
    submitted = await connection.scalar(
        select(func.count())
        .select_from(_assessment)
        .where(
            _assessment.c.user_id == user_id,
            _assessment.c.status == AssessmentStatus.SUBMITTED,
        )
    )
    reports = await connection.scalar(
        select(func.count()).select_from(_report).where(_report.c.user_id == user_id)
    )
    return AssessmentCounts(int(assessments or 0), int(submitted or 0), int(reports or 0))
