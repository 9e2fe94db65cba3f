"""Assessment flow: start with consent, save answers as you go, submit for a report."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, NamedTuple

from sqlalchemy.ext.asyncio import AsyncSession

from insight_atlas.accounts.dependencies import Principal
from insight_atlas.assessments import errors, repository
from insight_atlas.assessments.dependencies import Submitter
from insight_atlas.assessments.models import Assessment, AssessmentStatus
from insight_atlas.assessments.repository import PendingSubmission
from insight_atlas.assessments.schemas import (
    AssessmentPage,
    AssessmentRead,
    AssessmentSummary,
    SaveResponses,
    StartAssessment,
)
from insight_atlas.assessments.worker_pool import ReportScorer, ScoringFailed
from insight_atlas.billing.dependencies import Subscriber
from insight_atlas.billing.entitlements import ensure_entitled
from insight_atlas.consent.ledger import ASSESSMENT_PURPOSE, CURRENT_CONSENT_VERSION, record_consent
from insight_atlas.crypto import FieldCipher
from insight_atlas.db import database_released, utcnow, wipe_after_commit
from insight_atlas.engine import (
    Instrument,
    UnknownInstrumentError,
    list_instruments,
    load_instrument,
)
from insight_atlas.ops.metrics import REPORTS_CREATED, labelled
from insight_atlas.ops.quotas import HourlyQuotas, Quota
from insight_atlas.reports import rewrite
from insight_atlas.reports.errors import ReportNotFound
from insight_atlas.reports.repository import owned_report
from insight_atlas.settings import Settings
from insight_atlas.validation import is_uuid


class SubmittedReport(NamedTuple):
    """The head of the report a submission stored (reports.service.ReportHead): an ORM
    object would cost a submit more than building its whole response does."""

    id: str
    assessment_id: str
    created_at: dt.datetime
    body_sha256: str


WORK_STYLE = "work-style"
ADD_ON_KEYS = frozenset({WORK_STYLE})


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


async def start(
    session: AsyncSession,
    quotas: HourlyQuotas,
    subscriber: Subscriber,
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
    ensure_entitled(subscriber.subscription, f"instrument:{instrument.key}")
    if body.include_work_style:
        ensure_entitled(subscriber.subscription, f"instrument:{WORK_STYLE}")
    await quotas.spend(Quota.ASSESSMENT, subscriber.account)
    consent = record_consent(
        session,
        user_id=subscriber.user_id,
        purpose=ASSESSMENT_PURPOSE,
        version=body.consent_version,
        ip_address=ip_address,
        user_agent=user_agent,
    )
    await session.flush()
    assessment = Assessment(
        id=str(uuid.uuid4()),
        user_id=subscriber.user_id,
        instrument_key=instrument.key,
        instrument_version=instrument.version,
        include_work_style=body.include_work_style,
        status=AssessmentStatus.IN_PROGRESS,
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
    assessment = (
        await repository.owned(session, user_id, assessment_id) if is_uuid(assessment_id) else None
    )
    if assessment is None:
        raise errors.AssessmentNotFound()
    return assessment


def owned_submission(submitter: Submitter) -> PendingSubmission:
    """`get_owned` for the submit path: the columns scoring needs, as plain values, read
    with the caller's sign-in check; 404 unless the assessment is theirs."""
    if submitter.submission is None:
        raise errors.AssessmentNotFound()
    return submitter.submission


def save_responses(
    assessment: Assessment, body: SaveResponses, settings: Settings, cipher: FieldCipher
) -> Assessment:
    if assessment.status != AssessmentStatus.IN_PROGRESS:
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
    limit = settings.max_free_text_chars
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
        assessment.free_text_ciphertext = cipher.encrypt_text(text) if text else None
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
    quotas: HourlyQuotas,
    scorer: ReportScorer,
    principal: Principal,
    assessment: PendingSubmission,
) -> tuple[SubmittedReport, bytes]:
    """Score and store; returns the stored report's head and its JSON body."""
    if assessment.status != AssessmentStatus.IN_PROGRESS:
        raise errors.AlreadySubmitted()
    await quotas.spend(Quota.SUBMISSION, principal.account)
    demographics = {k: v for k, v in (("sex", assessment.sex), ("age", assessment.age)) if v}
    try:
        # Decrypting the text, scoring, encrypting and hashing the report all happen in
        # the scoring worker, off the event loop. Nothing has been written yet, so when
        # every database slot is taken this one is handed back for that wait: submissions
        # queued for scoring do not keep other requests from the database.
        async with database_released(session):
            result = await scorer.score(
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
    head = SubmittedReport(str(uuid.uuid4()), assessment.id, utcnow(), result.body_sha256)
    values = {
        "id": head.id,
        "user_id": principal.user_id,
        "assessment_id": assessment.id,
        "instrument_key": assessment.instrument_key,
        "instrument_version": result.instrument_version,
        "engine_version": result.engine_version,
        "norms_version": result.norms_version,
        "validity": result.validity,
        "body_ciphertext": result.body_ciphertext,
        "body_sha256": head.body_sha256,
        "created_at": head.created_at,
    }
    if not await repository.claim_and_insert_report(session, values):
        raise errors.AlreadySubmitted()
    labelled(REPORTS_CREATED, assessment.instrument_key).inc()
    return head, result.body


async def list_mine(
    session: AsyncSession, user_id: int, *, status: str | None, limit: int, offset: int
) -> AssessmentPage:
    """My assessments, newest first, with their progress (answers are not included)."""
    total = await repository.count_mine(session, user_id, status)
    rows = await repository.page_of_mine(session, user_id, status, limit=limit, offset=offset)
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


async def read(
    session: AsyncSession, settings: Settings, cipher: FieldCipher, assessment: Assessment
) -> AssessmentRead:
    item_ids = _item_ids(assessment)
    report_id = None
    if assessment.status == AssessmentStatus.SUBMITTED:
        report_id = await repository.report_id_of(session, assessment.id)
    consent_version = None
    if assessment.consent_id is not None:
        consent_version = await repository.consent_version(session, assessment.consent_id)
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
            cipher.decrypt_text(assessment.free_text_ciphertext)
            if assessment.free_text_ciphertext
            else None
        ),
        answered=sum(1 for item in item_ids if item in assessment.answers),
        total_items=len(item_ids),
        unanswered=[item for item in item_ids if item not in assessment.answers],
        consent_version=consent_version,
        free_text_max_chars=settings.max_free_text_chars,
        report_id=report_id,
        created_at=assessment.created_at,
        updated_at=assessment.updated_at,
        submitted_at=assessment.submitted_at,
    )


async def delete_report(session: AsyncSession, user_id: int, report_id: str) -> None:
    """Delete one of the user's reports with the assessment it came from: a report and the
    answers behind it live and die together (404 unless the report is theirs)."""
    report = await owned_report(session, user_id, report_id) if is_uuid(report_id) else None
    if report is None:
        raise ReportNotFound()
    await rewrite.forget(session, report.id)
    await repository.delete_assessment(session, report.assessment_id)
    wipe_after_commit(session)
