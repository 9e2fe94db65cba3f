"""HTTP endpoints: /v1/reports (history, compare, share) and /v1/shared/{token}."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response, status

from insight_atlas.accounts.dependencies import CurrentPrincipal
from insight_atlas.billing.entitlements import ensure_entitled
from insight_atlas.db import SessionDep
from insight_atlas.reports import rewrite, service
from insight_atlas.reports.rewrite_schemas import RewriteRead, RewriteRequest, RewriteStatus
from insight_atlas.reports.schemas import Comparison, ReportPage, ShareLinkRead, ShareRequest
from insight_atlas.services import ServicesDep, client_address
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
    responses={200: {"description": "The stored report", "content": {"application/json": {}}}},
)
async def get_report(
    report_id: str, principal: CurrentPrincipal, session: SessionDep, services: ServicesDep
) -> Response:
    """One of my reports, exactly as it was computed."""
    report = await service.get_owned(session, principal.user_id, report_id)
    return Response(service.report_document(services, report), media_type="application/json")


@router.delete(
    "/reports/{report_id}", status_code=status.HTTP_204_NO_CONTENT, operation_id="deleteReport"
)
async def delete_report(
    report_id: str, principal: CurrentPrincipal, session: SessionDep
) -> Response:
    """Delete a report, its answers and its share links."""
    report = await service.get_owned(session, principal.user_id, report_id)
    await service.delete_report(session, report)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/reports/{report_id}/compare/{other_id}",
    response_model=Comparison,
    operation_id="compareReports",
)
async def compare_reports(
    report_id: str,
    other_id: str,
    principal: CurrentPrincipal,
    session: SessionDep,
    services: ServicesDep,
) -> Comparison:
    """Change per scale between two of my reports, with a reliable-change index."""
    first = await service.get_owned(session, principal.user_id, report_id)
    second = await service.get_owned(session, principal.user_id, other_id)
    ensure_entitled(principal, "reports:compare")
    return service.compare(services, first, second)


@router.post(
    "/reports/{report_id}/share",
    status_code=status.HTTP_201_CREATED,
    response_model=ShareLinkRead,
    operation_id="shareReport",
)
async def share_report(
    report_id: str,
    principal: CurrentPrincipal,
    session: SessionDep,
    services: ServicesDep,
    body: ShareRequest | None = None,
) -> ShareLinkRead:
    """Create an expiring, revocable read-only link to a report (scores and narrative only)."""
    report = await service.get_owned(session, principal.user_id, report_id)
    ensure_entitled(principal, "reports:share")
    return await service.create_share_link(
        session, services, report, body.expires_in_days if body else None
    )


@router.delete(
    "/reports/{report_id}/share",
    status_code=status.HTTP_204_NO_CONTENT,
    operation_id="revokeShareLinks",
)
async def revoke_share(
    report_id: str, principal: CurrentPrincipal, session: SessionDep
) -> Response:
    """Revoke every share link of a report, effective immediately."""
    report = await service.get_owned(session, principal.user_id, report_id)
    await service.revoke_share_links(session, report)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/reports/{report_id}/rewrite", response_model=RewriteStatus, operation_id="getReportRewrite"
)
async def get_rewrite(
    report_id: str, principal: CurrentPrincipal, session: SessionDep, services: ServicesDep
) -> RewriteStatus:
    """Whether a plain-language rewrite is offered, where it would be sent, and the stored one."""
    report = await service.get_owned(session, principal.user_id, report_id)
    return await rewrite.status(session, services, report)


@router.post(
    "/reports/{report_id}/rewrite",
    status_code=status.HTTP_201_CREATED,
    response_model=RewriteRead,
    operation_id="createReportRewrite",
)
async def create_rewrite(
    report_id: str,
    body: RewriteRequest,
    request: Request,
    principal: CurrentPrincipal,
    session: SessionDep,
    services: ServicesDep,
) -> RewriteRead:
    """With consent, have a language model rewrite the narrative in plainer words (replaces)."""
    report = await service.get_owned(session, principal.user_id, report_id)
    return await rewrite.create(
        session,
        services,
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
)
async def delete_rewrite(
    report_id: str, principal: CurrentPrincipal, session: SessionDep
) -> Response:
    """Delete the plain-language rewrite of a report; the report itself stays."""
    report = await service.get_owned(session, principal.user_id, report_id)
    await rewrite.remove(session, report)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/shared/{token}", operation_id="getSharedReport")
async def get_shared_report(
    token: Annotated[str, Path(max_length=200)], session: SessionDep, services: ServicesDep
) -> dict[str, Any]:
    """A shared report: scores and narrative, never answers, free text or identity."""
    return await service.shared_view(session, services, token)
