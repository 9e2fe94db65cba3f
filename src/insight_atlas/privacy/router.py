"""HTTP endpoints: /v1/me/export, /v1/me/data, DELETE /v1/me."""

from __future__ import annotations

import orjson
from fastapi import APIRouter, Response, status

from insight_atlas.accounts.dependencies import CurrentPrincipal
from insight_atlas.accounts.errors import WrongCurrentPassword
from insight_atlas.accounts.passwords import PasswordsDep
from insight_atlas.billing.errors import BillingProviderError
from insight_atlas.crypto import CipherDep
from insight_atlas.db import SessionDep, utcnow
from insight_atlas.errors import TooManyRequests, error_responses
from insight_atlas.ops.ratelimit import LimiterUnavailable, RateLimiterDep
from insight_atlas.privacy import service
from insight_atlas.privacy.schemas import DeleteAccountRequest, PurgeResult
from insight_atlas.settings import SettingsDep
from insight_atlas.validation import CheckedRoute

router = APIRouter(prefix="/v1/me", tags=["privacy"], route_class=CheckedRoute)


@router.get(
    "/export",
    operation_id="exportMyData",
    responses={
        200: {"description": "Everything stored about me", "content": {"application/json": {}}}
    },
)
async def export_my_data(
    principal: CurrentPrincipal, session: SessionDep, cipher: CipherDep
) -> Response:
    """Everything stored about me (account, consents, assessments, reports) as one JSON file."""
    document = await service.export(session, cipher, principal.user)
    filename = f"insight-atlas-export-{utcnow():%Y%m%d}.json"
    return Response(
        orjson.dumps(document, option=orjson.OPT_INDENT_2),
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.delete("/data", response_model=PurgeResult, operation_id="purgeMyData")
async def purge_my_data(principal: CurrentPrincipal, session: SessionDep) -> PurgeResult:
    """Delete my assessments, reports and share links; keep the account."""
    return await service.purge_data(session, principal.user_id)


@router.delete(
    "",
    status_code=status.HTTP_204_NO_CONTENT,
    operation_id="deleteMe",
    responses=error_responses(
        WrongCurrentPassword, TooManyRequests, BillingProviderError, LimiterUnavailable
    ),
)
async def delete_me(
    body: DeleteAccountRequest,
    principal: CurrentPrincipal,
    session: SessionDep,
    settings: SettingsDep,
    limiter: RateLimiterDep,
    passwords: PasswordsDep,
) -> Response:
    """Delete my account and everything of it (any subscription is cancelled first)."""
    await service.delete_account(
        session, settings, limiter, passwords, principal.user, body.password
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)
