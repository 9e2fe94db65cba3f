"""HTTP endpoints of accounts: /v1/auth/* and /v1/me."""

from __future__ import annotations

from fastapi import APIRouter, BackgroundTasks, Request, Response, status

from insight_atlas.accounts import cookies, service
from insight_atlas.accounts.dependencies import CurrentPrincipal, bearer_token
from insight_atlas.accounts.errors import InvalidRefreshToken
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
from insight_atlas.db import SessionDep, request_session, utcnow
from insight_atlas.errors import AppError
from insight_atlas.mail import send_quietly
from insight_atlas.services import ServicesDep, client_address

router = APIRouter(prefix="/v1", tags=["accounts"])

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
async def register(body: RegisterRequest, request: Request, services: ServicesDep) -> UserRead:
    """Create an account on the Free plan."""
    # The password is hashed before the request takes a database slot: a burst of
    # registrations queues for the hashing cores, not in front of every other request.
    password_hash = await service.new_account_password_hash(
        services, email=body.email, password=body.password, client=_client(request)
    )
    async with request_session(request) as session:
        user, subscription = await service.register(
            session, email=body.email, password_hash=password_hash, display_name=body.display_name
        )
    return user_read(user, subscription)


def _deliver(pair: TokenPair, cookie_mode: bool, request: Request, response: Response) -> TokenPair:
    """In cookie mode the refresh token goes into the HttpOnly cookie, not the body."""
    if not cookie_mode or pair.refresh_token is None:
        return pair
    cookies.set_refresh_cookie(response, request, pair.refresh_token, pair.refresh_expires_in)
    return pair.model_copy(update={"refresh_token": None})


@router.post("/auth/login", response_model=TokenPair, operation_id="login")
async def login(
    body: LoginRequest,
    request: Request,
    response: Response,
    session: SessionDep,
    services: ServicesDep,
) -> TokenPair:
    """Exchange e-mail and password for an access token and a refresh token."""
    pair = await service.login(
        session, services, email=body.email, password=body.password, client=_client(request)
    )
    return _deliver(pair, body.cookie, request, response)


@router.post("/auth/refresh", response_model=TokenPair, operation_id="refresh")
async def refresh(
    request: Request,
    response: Response,
    session: SessionDep,
    services: ServicesDep,
    body: RefreshRequest | None = None,
) -> TokenPair:
    """Rotate a refresh token (body, or the sign-in cookie): a new pair is returned."""
    token = body.refresh_token if body else None
    cookie_mode = token is None
    if cookie_mode:
        token = cookies.refresh_token_from_cookie(request, services.settings)
    if token is None:
        raise InvalidRefreshToken()
    try:
        pair = await service.refresh(session, services, refresh_token=token)
    except AppError as exc:
        if cookie_mode:
            # A cookie that no longer works is dropped, so the browser stops sending it.
            _clear_cookie_on(exc, request)
        raise
    return _deliver(pair, cookie_mode, request, response)


def _clear_cookie_on(exc: AppError, request: Request) -> None:
    cleared = Response()
    cookies.clear_refresh_cookie(cleared, request)
    exc.headers = {**(exc.headers or {}), "Set-Cookie": cleared.headers["set-cookie"]}


@router.post("/auth/logout", status_code=status.HTTP_204_NO_CONTENT, operation_id="logout")
async def logout(
    request: Request, session: SessionDep, services: ServicesDep, body: LogoutRequest | None = None
) -> Response:
    """End a session, named by the bearer token, a refresh token or the sign-in cookie."""
    session_id: str | None = None
    token = bearer_token(request)
    if token is not None:
        try:
            session_id = decode_access_token(services.settings.secret_key, token).session_id
        except InvalidAccessToken:
            session_id = None
    refresh_token = body.refresh_token if body else None
    if refresh_token is None:
        refresh_token = cookies.refresh_token_from_cookie(request, services.settings)
    await service.logout(session, session_id=session_id, refresh_token=refresh_token)
    response = Response(status_code=status.HTTP_204_NO_CONTENT)
    cookies.clear_refresh_cookie(response, request)
    return response


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
    response: Response,
    principal: CurrentPrincipal,
    session: SessionDep,
    services: ServicesDep,
) -> TokenPair:
    """Change the password; every session ends and this client gets a fresh one."""
    pair = await service.change_password(
        session,
        services,
        user=principal.user,
        current_password=body.current_password,
        new_password=body.new_password,
        client=_client(request),
    )
    return _deliver(pair, body.cookie, request, response)
