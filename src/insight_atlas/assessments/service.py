"""Assessment flow: start with consent, save answers as you go, submit for a report."""

from __future__ import annotations

import uuid
from typing import Any, NamedTuple, cast

from fastapi import Request
from sqlalchemy import Table, and_, bindparam, func, insert, select, update
from sqlalchemy.dialects.postgresql.asyncpg import dialect as asyncpg_dialect
from sqlalchemy.ext.asyncio import AsyncSession

from insight_atlas.accounts.dependencies import (
    PRINCIPAL_QUERY,
    Principal,
    access_claims,
    admit,
    load_principal,
    principal_from_record,
)
from insight_atlas.accounts.models import User
from insight_atlas.assessments import errors
from insight_atlas.assessments.models import (
    STATUS_IN_PROGRESS,
    STATUS_SUBMITTED,
    Assessment,
    Report,
)
from insight_atlas.assessments.schemas import (
    AssessmentPage,
    AssessmentRead,
    AssessmentSummary,
    SaveResponses,
    StartAssessment,
)
from insight_atlas.assessments.worker_pool import ScoringFailed
from insight_atlas.billing.entitlements import ensure_entitled
from insight_atlas.db import asyncpg_connection, database_released, utcnow
from insight_atlas.engine import (
    Instrument,
    UnknownInstrumentError,
    list_instruments,
    load_instrument,
)
from insight_atlas.errors import TooManyRequests
from insight_atlas.ops.metrics import REPORTS_CREATED
from insight_atlas.privacy.consent import ASSESSMENT_PURPOSE, CURRENT_CONSENT_VERSION
from insight_atlas.privacy.models import ConsentRecord
from insight_atlas.services import Services
from insight_atlas.validation import is_uuid

WORK_STYLE = "work-style"
ADD_ON_KEYS = frozenset({WORK_STYLE})


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


# Core tables: the submit path skips the ORM's unit of work (one object, two statements).
_assessment_table = cast(Table, Assessment.__table__)
_report_table = cast(Table, Report.__table__)
# Built once: constructing a statement costs more CPU than running it.
_SUBMISSION_QUERY = select(
    *(_assessment_table.c[name] for name in PendingSubmission._fields)
).where(
    _assessment_table.c.id == bindparam("assessment_id"),
    _assessment_table.c.user_id == bindparam("user_id"),
)
# The status condition makes two concurrent submissions of one assessment safe: only one
# of them finds it in progress; the other answers 409 and writes nothing.
_CLAIM_FOR_REPORT = (
    update(_assessment_table)
    .where(
        _assessment_table.c.id == bindparam("claimed_id"),
        _assessment_table.c.status == STATUS_IN_PROGRESS,
    )
    .values(
        status=STATUS_SUBMITTED,
        submitted_at=bindparam("claimed_at"),
        updated_at=bindparam("claimed_at"),
    )
)
_INSERT_REPORT = insert(_report_table)

# On PostgreSQL the submit path speaks to asyncpg directly (see db.asyncpg_connection):
# one round trip for the read and one for the write. The claim and the insert are one
# statement, as atomic as the two above: a second concurrent submission finds the row no
# longer in progress, claims nothing and so inserts nothing. The columns read follow
# PendingSubmission's fields; the parameters written follow the report values in submit().
_PG_SUBMISSION_SQL = """
SELECT id, instrument_key, include_work_style, status, sex, age, answers, timings,
       free_text_ciphertext
FROM assessment WHERE id = $1 AND user_id = $2
"""
_PG_CLAIM_AND_INSERT_SQL = """
WITH claimed AS (
    UPDATE assessment SET status = 'submitted', submitted_at = $11, updated_at = $11
    WHERE id = $3 AND status = 'in_progress'
    RETURNING id
)
INSERT INTO report (id, user_id, assessment_id, instrument_key, instrument_version,
                    engine_version, norms_version, validity, body_ciphertext, body_sha256,
                    created_at)
SELECT $1, $2, claimed.id, $4, $5, $6, $7, $8, $9, $10, $11 FROM claimed
"""


# On PostgreSQL a submission's sign-in check and its read are one round trip: the
# principal query (accounts.dependencies) with the assessment left-joined, so the
# sign-in is judged first (401) whether or not the assessment is the caller's (404).
_PG_PRINCIPAL_AND_SUBMISSION = PRINCIPAL_QUERY.outerjoin(
    _assessment_table,
    and_(
        _assessment_table.c.id == bindparam("assessment_id"),
        _assessment_table.c.user_id == User.id,
    ),
).add_columns(*(_assessment_table.c[name] for name in PendingSubmission._fields))
_PG_PRINCIPAL_AND_SUBMISSION_COMPILED = _PG_PRINCIPAL_AND_SUBMISSION.compile(
    dialect=asyncpg_dialect()  # type: ignore[no-untyped-call]
)
_PG_PRINCIPAL_AND_SUBMISSION_SQL = str(_PG_PRINCIPAL_AND_SUBMISSION_COMPILED)
# The bound parameters' names in the order of $1, $2, $3.
_PG_PRINCIPAL_AND_SUBMISSION_ORDER = tuple(_PG_PRINCIPAL_AND_SUBMISSION_COMPILED.positiontup or ())
_SUBMISSION_WIDTH = len(PendingSubmission._fields)


def instrument_or_404(key: str) -> Instrument:
    try:
        return load_instrument(key)
    except UnknownInstrumentError as exc:
        known = ", ".join(i.key for i in list_instruments())
        raise errors.UnknownInstrument(f"No instrument {key!r}; available: {known}.") from exc


def _item_ids(assessment: Assessment | PendingSubmission) -> list[str]:
    ids = [item.id for item in load_instrument(assessment.instrument_key).items]
    if assessment.include_work_style:
        ids.extend(item.id for item in load_instrument(WORK_STYLE).items)
    return ids


async def _throttle(services: Services, kind: str, principal: Principal, limit: int) -> None:
    if not services.settings.rate_limit_enabled:
        return
    # Named by the account, not its id alone, so counters never pass to a later account.
    window = await services.rate_limiter.hit(f"{kind}:{principal.account}", 3600)
    if window.count > limit:
        raise TooManyRequests(window.retry_after_seconds, f"Too many {kind} requests this hour.")


async def start(
    session: AsyncSession,
    services: Services,
    principal: Principal,
    body: StartAssessment,
    *,
    ip_address: str,
    user_agent: str | None,
) -> Assessment:
    if body.consent_version is None:
        raise errors.ConsentRequired(
            "Explicit consent is required: send the consent_version you accepted"
            f" (current: {CURRENT_CONSENT_VERSION}, text at GET /v1/consent).",
            details={"current_version": CURRENT_CONSENT_VERSION},
        )
    if body.consent_version != CURRENT_CONSENT_VERSION:
        raise errors.ConsentRequired(
            f"Consent version {body.consent_version!r} is not the current one"
            f" ({CURRENT_CONSENT_VERSION}); please read and accept the current text.",
            details={"current_version": CURRENT_CONSENT_VERSION},
        )
    instrument = instrument_or_404(body.instrument)
    if instrument.key in ADD_ON_KEYS:
        raise errors.InvalidResponses(
            f"{instrument.key!r} is an add-on: start a Big Five instrument with"
            " include_work_style=true."
        )
    ensure_entitled(principal, f"instrument:{instrument.key}")
    if body.include_work_style:
        ensure_entitled(principal, f"instrument:{WORK_STYLE}")
    await _throttle(services, "assessment", principal, services.settings.assessments_per_hour)
    consent = ConsentRecord(
        user_id=principal.user_id,
        purpose=ASSESSMENT_PURPOSE,
        version=body.consent_version,
        accepted_at=utcnow(),
        ip_address=ip_address[:64],
        user_agent=(user_agent or "")[:300] or None,
    )
    session.add(consent)
    await session.flush()
    assessment = Assessment(
        id=str(uuid.uuid4()),
        user_id=principal.user_id,
        instrument_key=instrument.key,
        instrument_version=instrument.version,
        include_work_style=body.include_work_style,
        status=STATUS_IN_PROGRESS,
        consent_id=consent.id,
        sex=body.sex,
        age=body.age,
        answers={},
        timings={"items": {}, "pages": []},
    )
    session.add(assessment)
    await session.flush()
    return assessment


async def get_owned(session: AsyncSession, user_id: int, assessment_id: str) -> Assessment:
    """The assessment if it belongs to the user; 404 otherwise (never reveal others')."""
    if not is_uuid(assessment_id):
        raise errors.AssessmentNotFound()
    assessment = await session.scalar(
        select(Assessment).where(Assessment.id == assessment_id, Assessment.user_id == user_id)
    )
    if assessment is None:
        raise errors.AssessmentNotFound()
    return assessment


async def get_owned_submission(
    session: AsyncSession, user_id: int, assessment_id: str
) -> PendingSubmission:
    """`get_owned` for the submit path: the columns scoring needs, as plain values."""
    if not is_uuid(assessment_id):
        raise errors.AssessmentNotFound()
    pg = await asyncpg_connection(session)
    if pg is not None:
        row = await pg.fetchrow(_PG_SUBMISSION_SQL, assessment_id, user_id)
    else:
        params = {"assessment_id": assessment_id, "user_id": user_id}
        row = (await session.execute(_SUBMISSION_QUERY, params)).first()
    if row is None:
        raise errors.AssessmentNotFound()
    return PendingSubmission(*row)


async def authenticate_submission(
    session: AsyncSession, request: Request, services: Services, assessment_id: str
) -> tuple[Principal, PendingSubmission]:
    """The caller (401 unless signed in) and their assessment (404 unless theirs), as
    `get_current_principal` and `get_owned_submission` give them; on PostgreSQL in one
    round trip."""
    claims = access_claims(request, services)
    pg = await asyncpg_connection(session)
    if pg is None or not is_uuid(assessment_id):
        principal = await load_principal(session, claims)
        return principal, await get_owned_submission(session, principal.user_id, assessment_id)
    params = {
        "user_id": claims.user_id,
        "session_id": claims.session_id,
        "assessment_id": assessment_id,
    }
    record = await pg.fetchrow(
        _PG_PRINCIPAL_AND_SUBMISSION_SQL,
        *(params[name] for name in _PG_PRINCIPAL_AND_SUBMISSION_ORDER),
    )
    values = tuple(record) if record is not None else ()
    # No row: no such sign-in, and admit() answers 401.
    row = principal_from_record(session, values[:-_SUBMISSION_WIDTH]) if values else None
    principal = admit(claims, row)
    submission = PendingSubmission(*values[-_SUBMISSION_WIDTH:])
    if submission.id is None:  # no assessment of that id is this user's
        raise errors.AssessmentNotFound()
    return principal, submission


def save_responses(assessment: Assessment, body: SaveResponses, services: Services) -> Assessment:
    if assessment.status != STATUS_IN_PROGRESS:
        raise errors.AlreadySubmitted()
    known = set(_item_ids(assessment))
    unknown = sorted(
        {k for k in body.answers if k not in known}
        | {k for k in body.item_seconds if k not in known}
        | {k for page in body.pages or () for k in page.item_ids if k not in known}
    )
    out_of_range = {k: v for k, v in body.answers.items() if v is not None and not 1 <= v <= 5}
    problems = []
    if unknown:
        problems.append(f"unknown item ids: {', '.join(unknown[:20])}")
    if out_of_range:
        problems.append(
            "answers must be 1..5: "
            + ", ".join(f"{k}={v}" for k, v in sorted(out_of_range.items())[:20])
        )
    limit = services.settings.max_free_text_chars
    if body.free_text is not None and len(body.free_text) > limit:
        problems.append(f"free_text is {len(body.free_text)} characters; the limit is {limit}")
    if problems:
        raise errors.InvalidResponses(
            "Invalid responses: "
            + "; ".join(problems)
            + ". Nothing in this request was saved; what was saved before is kept.",
            details={
                "unknown_item_ids": unknown,
                "out_of_range": out_of_range,
                "free_text_max_chars": limit,
            },
        )
    # New dicts, so the ORM sees the change and writes it.
    answers = dict(assessment.answers)
    for item_id, value in body.answers.items():
        if value is None:
            answers.pop(item_id, None)
        else:
            answers[item_id] = value
    timings = {
        "items": {**assessment.timings.get("items", {}), **body.item_seconds},
        "pages": (
            [page.model_dump() for page in body.pages]
            if body.pages is not None
            else assessment.timings.get("pages", [])
        ),
    }
    assessment.answers = answers
    assessment.timings = timings
    if body.free_text is not None:
        text = body.free_text.strip()
        assessment.free_text_ciphertext = services.cipher.encrypt_text(text) if text else None
    assessment.updated_at = utcnow()
    return assessment


def _engine_timings(assessment: Assessment | PendingSubmission) -> dict[str, Any] | None:
    """Timings restricted to answered items, in the engine's input format."""
    answered = assessment.answers
    timings: dict[str, Any] = {
        k: v for k, v in assessment.timings.get("items", {}).items() if k in answered
    }
    pages = []
    for page in assessment.timings.get("pages", []):
        kept = [item_id for item_id in page["item_ids"] if item_id in answered]
        if kept:
            # Keep the page's pace: its seconds shrink with the items that remain.
            pages.append(
                {"item_ids": kept, "seconds": page["seconds"] * len(kept) / len(page["item_ids"])}
            )
    if pages:
        timings["pages"] = pages
    return timings or None


def _unanswered(assessment: Assessment | PendingSubmission) -> list[str]:
    return [item for item in _item_ids(assessment) if item not in assessment.answers]


async def submit(
    session: AsyncSession,
    services: Services,
    principal: Principal,
    assessment: PendingSubmission,
) -> tuple[Report, bytes]:
    """Score and store; returns the report (not attached to the session) and its JSON body."""
    if assessment.status != STATUS_IN_PROGRESS:
        raise errors.AlreadySubmitted()
    await _throttle(services, "submission", principal, services.settings.submissions_per_hour)
    demographics = {k: v for k, v in (("sex", assessment.sex), ("age", assessment.age)) if v}
    try:
        # Decrypting the text, scoring, encrypting and hashing the report all happen in
        # the scoring worker, off the event loop. Nothing has been written yet, so when
        # every database slot is taken this one is handed back for that wait: submissions
        # queued for scoring do not keep other requests from the database.
        async with database_released(session):
            result = await services.scorer.score(
                assessment.instrument_key,
                assessment.answers,
                demographics or None,
                _engine_timings(assessment),
                assessment.free_text_ciphertext,
            )
    except ScoringFailed as exc:
        raise errors.InvalidResponses(str(exc)) from exc
    if result.has_unscored_scales:
        missing = _unanswered(assessment)
        raise errors.IncompleteAssessment(
            f"Too many unanswered items to score every scale ({len(missing)} unanswered).",
            details={"unanswered_item_ids": missing},
        )
    # In the order of _PG_CLAIM_AND_INSERT_SQL's parameters ($1 to $11).
    values = {
        "id": str(uuid.uuid4()),
        "user_id": principal.user_id,
        "assessment_id": assessment.id,
        "instrument_key": assessment.instrument_key,
        "instrument_version": result.instrument_version,
        "engine_version": result.engine_version,
        "norms_version": result.norms_version,
        "validity": result.validity,
        "body_ciphertext": result.body_ciphertext,
        "body_sha256": result.body_sha256,
        "created_at": utcnow(),
    }
    pg = await asyncpg_connection(session)
    if pg is not None:
        claimed = await pg.execute(_PG_CLAIM_AND_INSERT_SQL, *values.values()) == "INSERT 0 1"
    else:
        claim = {"claimed_id": assessment.id, "claimed_at": values["created_at"]}
        claimed = (await session.execute(_CLAIM_FOR_REPORT, claim)).rowcount == 1  # type: ignore[attr-defined]
        if claimed:
            await session.execute(_INSERT_REPORT, values)
    if not claimed:
        raise errors.AlreadySubmitted()
    REPORTS_CREATED.labels(assessment.instrument_key).inc()
    return Report(**values), result.body


async def list_mine(
    session: AsyncSession, user_id: int, *, status: str | None, limit: int, offset: int
) -> AssessmentPage:
    """My assessments, newest first, with their progress (answers are not included)."""
    mine = Assessment.user_id == user_id
    if status is not None:
        mine = mine & (Assessment.status == status)
    total = await session.scalar(select(func.count()).select_from(Assessment).where(mine)) or 0
    rows = await session.execute(
        select(Assessment, Report.id)
        .outerjoin(Report, Report.assessment_id == Assessment.id)
        .where(mine)
        .order_by(Assessment.created_at.desc(), Assessment.id.desc())
        .limit(limit)
        .offset(offset)
    )
    items = []
    for assessment, report_id in rows:
        item_ids = _item_ids(assessment)
        items.append(
            AssessmentSummary(
                id=assessment.id,
                instrument=assessment.instrument_key,
                instrument_version=assessment.instrument_version,
                include_work_style=assessment.include_work_style,
                status=assessment.status,
                answered=sum(1 for item in item_ids if item in assessment.answers),
                total_items=len(item_ids),
                report_id=report_id,
                created_at=assessment.created_at,
                updated_at=assessment.updated_at,
                submitted_at=assessment.submitted_at,
            )
        )
    return AssessmentPage(items=items, total=total, limit=limit, offset=offset)


async def read(session: AsyncSession, services: Services, assessment: Assessment) -> AssessmentRead:
    item_ids = _item_ids(assessment)
    report_id = None
    if assessment.status == STATUS_SUBMITTED:
        report_id = await session.scalar(
            select(Report.id).where(Report.assessment_id == assessment.id)
        )
    consent_version = None
    if assessment.consent_id is not None:
        consent_version = await session.scalar(
            select(ConsentRecord.version).where(ConsentRecord.id == assessment.consent_id)
        )
    return AssessmentRead(
        id=assessment.id,
        instrument=assessment.instrument_key,
        instrument_version=assessment.instrument_version,
        include_work_style=assessment.include_work_style,
        status=assessment.status,
        sex=assessment.sex,
        age=assessment.age,
        answers=assessment.answers,
        item_seconds=assessment.timings.get("items", {}),
        pages=assessment.timings.get("pages", []),
        free_text=(
            services.cipher.decrypt_text(assessment.free_text_ciphertext)
            if assessment.free_text_ciphertext
            else None
        ),
        answered=sum(1 for item in item_ids if item in assessment.answers),
        total_items=len(item_ids),
        unanswered=[item for item in item_ids if item not in assessment.answers],
        consent_version=consent_version,
        free_text_max_chars=services.settings.max_free_text_chars,
        report_id=report_id,
        created_at=assessment.created_at,
        updated_at=assessment.updated_at,
        submitted_at=assessment.submitted_at,
    )
