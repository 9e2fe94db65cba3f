"""HTTP endpoints of accounts: /v1/auth/* and /v1/me."""

from __future__ import annotations

from fastapi import APIRouter, BackgroundTasks, Request, Response, status

from insight_atlas.accounts import service
from insight_atlas.accounts.dependencies import CurrentPrincipal, bearer_token
from insight_atlas.accounts.models import User
from insight_atlas.accounts.schemas import (
    AcceptedResponse,
    ChangePasswordRequest,
    ForgotPasswordRequest,
    LoginRequest,
    LogoutRequest,
    RefreshRequest,
    RegisterRequest,
    ResetPasswordRequest,
    StatusResponse,
    SubscriptionRead,
    TokenPair,
    UserRead,
)
from insight_atlas.accounts.tokens import InvalidAccessToken, decode_access_token
from insight_atlas.billing.entitlements import access_for, billing_banner
from insight_atlas.billing.models import Subscription
from insight_atlas.db import SessionDep, utcnow
from insight_atlas.mail import send_quietly
from insight_atlas.services import ServicesDep, client_address
from insight_atlas.validation import CheckedRoute

router = APIRouter(prefix="/v1", tags=["accounts"], route_class=CheckedRoute)

FORGOT_MESSAGE = "If an account exists for that address, a reset link is on its way."


def _client(request: Request) -> service.ClientInfo:
    return service.ClientInfo(
        ip_address=client_address(request), user_agent=request.headers.get("user-agent")
    )


def user_read(user: User, subscription: Subscription) -> UserRead:
    access = access_for(subscription, utcnow())
    return UserRead(
        id=user.id,
        email=user.email,
        display_name=user.display_name,
        created_at=user.created_at,
        plan=access.plan,
        status=subscription.status,
        entitlements=access.entitlements,
        subscription=SubscriptionRead(
            plan=subscription.plan,
            status=subscription.status,
            current_period_end=subscription.current_period_end,
            cancel_at_period_end=subscription.cancel_at_period_end,
            grace_period_ends_at=access.grace_period_ends_at,
        ),
        payment_past_due=access.payment_past_due,
        billing_banner=billing_banner(access),
    )


# First: routes are matched in order of declaration, and every page load asks for this one.
@router.get("/me", response_model=UserRead, operation_id="getMe")
async def get_me(principal: CurrentPrincipal) -> UserRead:
    """The signed-in user's profile, plan, subscription status and entitlements."""
    return user_read(principal.user, principal.subscription)


@router.post(
    "/auth/register",
    status_code=status.HTTP_201_CREATED,
    response_model=UserRead,
    operation_id="register",
)
async def register(body: RegisterRequest, session: SessionDep, services: ServicesDep) -> UserRead:
    """Create an account on the Free plan."""
    user, subscription = await service.register(
        session,
        services,
        email=body.email,
        password=body.password,
        display_name=body.display_name,
    )
    return user_read(user, subscription)


@router.post("/auth/login", response_model=TokenPair, operation_id="login")
async def login(
    body: LoginRequest, request: Request, session: SessionDep, services: ServicesDep
) -> TokenPair:
    """Exchange e-mail and password for an access token and a refresh token."""
    return await service.login(
        session, services, email=body.email, password=body.password, client=_client(request)
    )


@router.post("/auth/refresh", response_model=TokenPair, operation_id="refresh")
async def refresh(body: RefreshRequest, session: SessionDep, services: ServicesDep) -> TokenPair:
    """Rotate a refresh token: the old one stops working, a new pair is returned."""
    return await service.refresh(session, services, refresh_token=body.refresh_token)


@router.post("/auth/logout", status_code=status.HTTP_204_NO_CONTENT, operation_id="logout")
async def logout(
    request: Request, session: SessionDep, services: ServicesDep, body: LogoutRequest | None = None
) -> Response:
    """End a session, named by the bearer access token or by a refresh token."""
    session_id: str | None = None
    token = bearer_token(request)
    if token is not None:
        try:
            session_id = decode_access_token(services.settings.secret_key, token).session_id
        except InvalidAccessToken:
            session_id = None
    await service.logout(
        session, session_id=session_id, refresh_token=body.refresh_token if body else None
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/auth/password/forgot",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=AcceptedResponse,
    operation_id="forgotPassword",
)
async def forgot_password(
    body: ForgotPasswordRequest,
    request: Request,
    background: BackgroundTasks,
    session: SessionDep,
    services: ServicesDep,
) -> AcceptedResponse:
    """Mail a single-use reset link; the answer is the same whether the account exists."""
    mail = await service.request_password_reset(
        session, services, email=body.email, client=_client(request)
    )
    if mail is not None:
        # Sent after the response so neither timing nor a mail error reveals the account.
        background.add_task(send_quietly, services.mailer, mail)
    return AcceptedResponse(message=FORGOT_MESSAGE)


@router.post("/auth/password/reset", response_model=StatusResponse, operation_id="resetPassword")
async def reset_password(
    body: ResetPasswordRequest, session: SessionDep, services: ServicesDep
) -> StatusResponse:
    """Set a new password with a reset token; every session of the account ends."""
    await service.reset_password(
        session, services, token=body.token, new_password=body.new_password
    )
    return StatusResponse(status="password_reset")


@router.post("/auth/password/change", response_model=TokenPair, operation_id="changePassword")
async def change_password(
    body: ChangePasswordRequest,
    request: Request,
    principal: CurrentPrincipal,
    session: SessionDep,
    services: ServicesDep,
) -> TokenPair:
    """Change the password; every session ends and this client gets a fresh one."""
    return await service.change_password(
        session,
        services,
        user=principal.user,
        current_password=body.current_password,
        new_password=body.new_password,
        client=_client(request),
    )
