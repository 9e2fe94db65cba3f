"""HTTP endpoints: /v1/consent, /v1/instruments, /v1/assessments."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, status
from fastapi.responses import Response

from insight_atlas.accounts.dependencies import CurrentPrincipal
from insight_atlas.assessments import errors, service
from insight_atlas.assessments.dependencies import CurrentSubmitter, ScorerDep
from insight_atlas.assessments.models import AssessmentStatus
from insight_atlas.assessments.schemas import (
    AnswerOption,
    AssessmentPage,
    AssessmentRead,
    ConsentRead,
    InstrumentRead,
    InstrumentSummary,
    ItemRead,
    SaveResponses,
    ScaleRead,
    StartAssessment,
)
from insight_atlas.billing.dependencies import CurrentSubscriber
from insight_atlas.billing.entitlements import UpgradeRequired
from insight_atlas.consent.ledger import (
    ASSESSMENT_PURPOSE,
    CONSENT_TEXT,
    CURRENT_CONSENT_VERSION,
)
from insight_atlas.crypto import CipherDep
from insight_atlas.db import SessionDep
from insight_atlas.engine import Instrument, list_instruments
from insight_atlas.errors import TooManyRequests, error_responses
from insight_atlas.ops.client_address import client_address
from insight_atlas.ops.quotas import QuotasDep
from insight_atlas.reports.errors import ReportNotFound
from insight_atlas.reports.service import report_document
from insight_atlas.settings import SettingsDep
from insight_atlas.validation import CheckedRoute

router = APIRouter(prefix="/v1", tags=["assessments"], route_class=CheckedRoute)


def _summary(instrument: Instrument) -> InstrumentSummary:
    return InstrumentSummary(
        key=instrument.key,
        title=instrument.title,
        version=instrument.version,
        plan=instrument.plan,
        estimated_minutes=instrument.estimated_minutes,
        item_count=instrument.item_count,
        normed=instrument.normed,
        add_on=instrument.key in service.ADD_ON_KEYS,
    )


# First: routes are tried in order of declaration, each at a cost, and submit is the hot one.
@router.post(
    "/assessments/{assessment_id}/submit",
    status_code=status.HTTP_201_CREATED,
    operation_id="submitAssessment",
    responses={
        201: {"description": "The stored report", "content": {"application/json": {}}},
        **error_responses(
            errors.AssessmentNotFound,
            errors.AlreadySubmitted,
            errors.IncompleteAssessment,
            errors.InvalidResponses,
            TooManyRequests,
            (503, "scoring_unavailable"),
        ),
    },
)
async def submit_assessment(
    submitter: CurrentSubmitter,
    session: SessionDep,
    quotas: QuotasDep,
    scorer: ScorerDep,
) -> Response:
    """Score the answers and store an immutable report; 409 if already submitted."""
    assessment = service.owned_submission(submitter)
    report, body = await service.submit(session, quotas, scorer, submitter, assessment)
    return Response(
        report_document(report, body),
        status_code=status.HTTP_201_CREATED,
        media_type="application/json",
        headers={"Location": f"/v1/reports/{report.id}"},
    )


@router.get("/consent", response_model=ConsentRead, operation_id="getConsent")
async def get_consent() -> ConsentRead:
    """The consent text and version a person must accept before an assessment."""
    return ConsentRead(
        purpose=ASSESSMENT_PURPOSE, version=CURRENT_CONSENT_VERSION, text=CONSENT_TEXT
    )


@router.get("/instruments", response_model=list[InstrumentSummary], operation_id="listInstruments")
async def get_instruments() -> list[InstrumentSummary]:
    """Every questionnaire with its length, estimated minutes and the plan it needs."""
    return [_summary(instrument) for instrument in list_instruments()]


@router.get(
    "/instruments/{key}",
    response_model=InstrumentRead,
    operation_id="getInstrument",
    responses=error_responses(errors.UnknownInstrument),
)
async def get_instrument(key: Annotated[str, Path(max_length=64)]) -> InstrumentRead:
    """One questionnaire: items in order, answer scale, scales and citations."""
    instrument = service.instrument_or_404(key)
    return InstrumentRead(
        **_summary(instrument).model_dump(),
        answer_scale=[AnswerOption(value=v, label=label) for v, label in instrument.answer_scale],
        items=[
            ItemRead(id=item.id, number=item.number, text=item.text, scale=item.scale)
            for item in instrument.items
        ],
        scales=[ScaleRead(key=s.key, label=s.label, kind=s.kind) for s in instrument.scales],
        citations=dict(instrument.citations),
        norms_version=instrument.norms_version,
    )


@router.post(
    "/assessments",
    status_code=status.HTTP_201_CREATED,
    response_model=AssessmentRead,
    operation_id="startAssessment",
    responses=error_responses(
        errors.ConsentRequired,
        errors.UnknownInstrument,
        errors.InvalidResponses,
        UpgradeRequired,
        TooManyRequests,
    ),
)
async def start_assessment(
    body: StartAssessment,
    request: Request,
    subscriber: CurrentSubscriber,
    session: SessionDep,
    settings: SettingsDep,
    quotas: QuotasDep,
    cipher: CipherDep,
) -> AssessmentRead:
    """Start an assessment; needs the accepted consent version and a plan that includes it."""
    assessment = await service.start(
        session,
        quotas,
        subscriber,
        body,
        ip_address=client_address(request),
        user_agent=request.headers.get("user-agent"),
    )
    return await service.read(session, settings, cipher, assessment)


@router.get("/assessments", response_model=AssessmentPage, operation_id="listAssessments")
async def list_assessments(
    principal: CurrentPrincipal,
    session: SessionDep,
    status: Annotated[
        AssessmentStatus | None,
        Query(description="Only assessments in this state."),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> AssessmentPage:
    """My assessments, in progress and submitted, newest first (to resume on any device)."""
    return await service.list_mine(
        session, principal.user_id, status=status, limit=limit, offset=offset
    )


@router.get(
    "/assessments/{assessment_id}",
    response_model=AssessmentRead,
    operation_id="getAssessment",
    responses=error_responses(errors.AssessmentNotFound),
)
async def get_assessment(
    assessment_id: str,
    principal: CurrentPrincipal,
    session: SessionDep,
    settings: SettingsDep,
    cipher: CipherDep,
) -> AssessmentRead:
    """One of my assessments with the answers saved so far (resume on any device)."""
    assessment = await service.get_owned(session, principal.user_id, assessment_id)
    return await service.read(session, settings, cipher, assessment)


@router.put(
    "/assessments/{assessment_id}/responses",
    response_model=AssessmentRead,
    operation_id="saveResponses",
    responses=error_responses(
        errors.AssessmentNotFound, errors.AlreadySubmitted, errors.InvalidResponses
    ),
)
async def save_responses(
    assessment_id: str,
    body: SaveResponses,
    principal: CurrentPrincipal,
    session: SessionDep,
    settings: SettingsDep,
    cipher: CipherDep,
) -> AssessmentRead:
    """Save answers, timings and free text so far; repeating the same call changes nothing."""
    assessment = await service.get_owned(session, principal.user_id, assessment_id)
    service.save_responses(assessment, body, settings, cipher)
    await session.flush()
    return await service.read(session, settings, cipher, assessment)


@router.delete(
    "/reports/{report_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    operation_id="deleteReport",
    tags=["reports"],
    responses=error_responses(ReportNotFound),
)
async def delete_report(
    report_id: str, principal: CurrentPrincipal, session: SessionDep
) -> Response:
    """Delete a report, its answers and its share links."""
    # Here, not in reports/: the assessment behind the report goes too.
    await service.delete_report(session, principal.user_id, report_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
