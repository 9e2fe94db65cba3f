"""HTTP endpoints: /v1/reports (history, compare, share) and /v1/shared/{token}."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response, status

from insight_atlas.accounts.dependencies import CurrentPrincipal
from insight_atlas.billing.dependencies import CurrentSubscriber
from insight_atlas.billing.entitlements import UpgradeRequired, ensure_entitled
from insight_atlas.consent.errors import ConsentRequired
from insight_atlas.crypto import CipherDep
from insight_atlas.db import SessionDep
from insight_atlas.errors import TooManyRequests, error_responses
from insight_atlas.ops.client_address import client_address
from insight_atlas.ops.quotas import QuotasDep
from insight_atlas.reports import errors, rewrite, service
from insight_atlas.reports.rewrite_schemas import RewriteRead, RewriteRequest, RewriteStatus
from insight_atlas.reports.schemas import Comparison, ReportPage, ShareLinkRead, ShareRequest
from insight_atlas.settings import SettingsDep
from insight_atlas.validation import CheckedRoute

router = APIRouter(prefix="/v1", tags=["reports"], route_class=CheckedRoute)


@router.get("/reports", response_model=ReportPage, operation_id="listReports")
async def list_reports(
    principal: CurrentPrincipal,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> ReportPage:
    """My reports, newest first."""
    return await service.list_reports(session, principal.user_id, limit=limit, offset=offset)


@router.get(
    "/reports/{report_id}",
    operation_id="getReport",
    responses={
        200: {"description": "The stored report", "content": {"application/json": {}}},
        **error_responses(errors.ReportNotFound),
    },
)
async def get_report(
    report_id: str, principal: CurrentPrincipal, session: SessionDep, cipher: CipherDep
) -> Response:
    """One of my reports, exactly as it was computed."""
    report = await service.get_owned(session, principal.user_id, report_id)
    body = service.report_body(cipher, report)
    return Response(service.report_document(report, body), media_type="application/json")


@router.get(
    "/reports/{report_id}/compare/{other_id}",
    response_model=Comparison,
    operation_id="compareReports",
    responses=error_responses(errors.ReportNotFound, errors.NotComparable, UpgradeRequired),
)
async def compare_reports(
    report_id: str,
    other_id: str,
    subscriber: CurrentSubscriber,
    session: SessionDep,
    cipher: CipherDep,
) -> Comparison:
    """Change per scale between two of my reports, with a reliable-change index."""
    first = await service.get_owned(session, subscriber.user_id, report_id)
    second = await service.get_owned(session, subscriber.user_id, other_id)
    ensure_entitled(subscriber.subscription, "reports:compare")
    return service.compare(cipher, first, second)


@router.post(
    "/reports/{report_id}/share",
    status_code=status.HTTP_201_CREATED,
    response_model=ShareLinkRead,
    operation_id="shareReport",
    responses=error_responses(errors.ReportNotFound, UpgradeRequired),
)
async def share_report(
    report_id: str,
    subscriber: CurrentSubscriber,
    session: SessionDep,
    settings: SettingsDep,
    body: ShareRequest | None = None,
) -> ShareLinkRead:
    """Create an expiring, revocable read-only link to a report (scores and narrative only)."""
    report = await service.get_owned(session, subscriber.user_id, report_id)
    ensure_entitled(subscriber.subscription, "reports:share")
    return await service.create_share_link(
        session, settings, report, body.expires_in_days if body else None
    )


@router.delete(
    "/reports/{report_id}/share",
    status_code=status.HTTP_204_NO_CONTENT,
    operation_id="revokeShareLinks",
    responses=error_responses(errors.ReportNotFound),
)
async def revoke_share(
    report_id: str, principal: CurrentPrincipal, session: SessionDep
) -> Response:
    """Revoke every share link of a report, effective immediately."""
    report = await service.get_owned(session, principal.user_id, report_id)
    await service.revoke_share_links(session, report)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/reports/{report_id}/rewrite",
    response_model=RewriteStatus,
    operation_id="getReportRewrite",
    responses=error_responses(errors.ReportNotFound),
)
async def get_rewrite(
    report_id: str,
    principal: CurrentPrincipal,
    session: SessionDep,
    settings: SettingsDep,
    cipher: CipherDep,
) -> RewriteStatus:
    """Whether a plain-language rewrite is offered, where it would be sent, and the stored one."""
    report = await service.get_owned(session, principal.user_id, report_id)
    return await rewrite.status(session, settings, cipher, report)


@router.post(
    "/reports/{report_id}/rewrite",
    status_code=status.HTTP_201_CREATED,
    response_model=RewriteRead,
    operation_id="createReportRewrite",
    responses=error_responses(
        errors.ReportNotFound,
        ConsentRequired,
        (409, "consent_outdated"),
        (409, "nothing_to_rewrite"),
        TooManyRequests,
        rewrite.RewriteRejected,
        rewrite.RewriteUpstreamFailed,
        (504, rewrite.RewriteUpstreamFailed.code),
        rewrite.RewriteUnavailable,
    ),
)
async def create_rewrite(
    report_id: str,
    body: RewriteRequest,
    request: Request,
    principal: CurrentPrincipal,
    session: SessionDep,
    settings: SettingsDep,
    quotas: QuotasDep,
    cipher: CipherDep,
) -> RewriteRead:
    """With consent, have a language model rewrite the narrative in plainer words (replaces)."""
    report = await service.get_owned(session, principal.user_id, report_id)
    return await rewrite.create(
        session,
        settings,
        quotas,
        cipher,
        principal,
        report,
        body,
        ip_address=client_address(request),
        user_agent=request.headers.get("user-agent"),
    )


@router.delete(
    "/reports/{report_id}/rewrite",
    status_code=status.HTTP_204_NO_CONTENT,
    operation_id="deleteReportRewrite",
    responses=error_responses(errors.ReportNotFound, rewrite.RewriteNotFound),
)
async def delete_rewrite(
    report_id: str, principal: CurrentPrincipal, session: SessionDep
) -> Response:
    """Delete the plain-language rewrite of a report; the report itself stays."""
    report = await service.get_owned(session, principal.user_id, report_id)
    await rewrite.remove(session, report)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/shared/{token}",
    operation_id="getSharedReport",
    responses=error_responses(errors.ReportNotFound),
)
async def get_shared_report(
    token: Annotated[str, Path(max_length=200)], session: SessionDep, cipher: CipherDep
) -> dict[str, Any]:
    """A shared report: scores and narrative, never answers, free text or identity."""
    return await service.shared_view(session, cipher, token)
