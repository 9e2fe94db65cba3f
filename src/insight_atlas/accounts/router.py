"""HTTP endpoints of accounts: /v1/auth/* (registration and GET /v1/me, which answer with
the plan, are in profile/router.py)."""

from __future__ import annotations

from fastapi import APIRouter, BackgroundTasks, Request, Response, status

from insight_atlas.accounts import cookies, errors, service
from insight_atlas.accounts.dependencies import CurrentPrincipal, bearer_token
from insight_atlas.accounts.passwords import PasswordsDep
from insight_atlas.accounts.schemas import (
    AcceptedResponse,
    ChangePasswordRequest,
    ForgotPasswordRequest,
    LoginRequest,
    LogoutRequest,
    RefreshRequest,
    ResetPasswordRequest,
    StatusResponse,
    TokenPair,
)
from insight_atlas.accounts.tokens import InvalidAccessToken, decode_access_token
from insight_atlas.db import SessionDep
from insight_atlas.errors import AppError, TooManyRequests, error_responses
from insight_atlas.mail import MailerDep, send_quietly
from insight_atlas.ops.client_address import client_address
from insight_atlas.ops.ratelimit import LimiterUnavailable, RateLimiterDep
from insight_atlas.settings import SettingsDep
from insight_atlas.validation import CheckedRoute

router = APIRouter(prefix="/v1", tags=["accounts"], route_class=CheckedRoute)

FORGOT_MESSAGE = "If an account exists for that address, a reset link is on its way."


def _client(request: Request) -> service.ClientInfo:
    return service.ClientInfo(
        ip_address=client_address(request), user_agent=request.headers.get("user-agent")
    )


def _deliver(pair: TokenPair, cookie_mode: bool, request: Request, response: Response) -> TokenPair:
    """In cookie mode the refresh token goes into the HttpOnly cookie, not the body."""
    if not cookie_mode or pair.refresh_token is None:
        return pair
    cookies.set_refresh_cookie(response, request, pair.refresh_token, pair.refresh_expires_in)
    return pair.model_copy(update={"refresh_token": None})


@router.post(
    "/auth/login",
    response_model=TokenPair,
    operation_id="login",
    responses=error_responses(errors.InvalidCredentials, TooManyRequests, LimiterUnavailable),
)
async def login(
    body: LoginRequest,
    request: Request,
    response: Response,
    session: SessionDep,
    settings: SettingsDep,
    limiter: RateLimiterDep,
    passwords: PasswordsDep,
) -> TokenPair:
    """Exchange e-mail and password for an access token and a refresh token."""
    pair = await service.login(
        session,
        settings,
        limiter,
        passwords,
        email=body.email,
        password=body.password,
        client=_client(request),
    )
    return _deliver(pair, body.cookie, request, response)


@router.post(
    "/auth/refresh",
    response_model=TokenPair,
    operation_id="refresh",
    responses=error_responses(
        errors.InvalidRefreshToken, errors.RefreshTokenReused, cookies.OriginRefused
    ),
)
async def refresh(
    request: Request,
    response: Response,
    session: SessionDep,
    settings: SettingsDep,
    body: RefreshRequest | None = None,
) -> TokenPair:
    """Rotate a refresh token (body, or the sign-in cookie): a new pair is returned."""
    token = body.refresh_token if body else None
    cookie_mode = token is None
    if cookie_mode:
        token = cookies.refresh_token_from_cookie(request, settings)
    if token is None:
        raise errors.InvalidRefreshToken()
    try:
        pair = await service.refresh(session, settings, refresh_token=token)
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


@router.post(
    "/auth/logout",
    status_code=status.HTTP_204_NO_CONTENT,
    operation_id="logout",
    responses=error_responses(
        errors.InvalidToken, errors.InvalidRefreshToken, cookies.OriginRefused
    ),
)
async def logout(
    request: Request, session: SessionDep, settings: SettingsDep, body: LogoutRequest | None = None
) -> Response:
    """End a session, named by the bearer token, a refresh token or the sign-in cookie."""
    session_id: str | None = None
    token = bearer_token(request)
    if token is not None:
        try:
            session_id = decode_access_token(settings.secret_key, token).session_id
        except InvalidAccessToken:
            session_id = None
    refresh_token = body.refresh_token if body else None
    if refresh_token is None:
        refresh_token = cookies.refresh_token_from_cookie(request, settings)
    await service.logout(session, session_id=session_id, refresh_token=refresh_token)
    response = Response(status_code=status.HTTP_204_NO_CONTENT)
    cookies.clear_refresh_cookie(response, request)
    return response


@router.post(
    "/auth/password/forgot",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=AcceptedResponse,
    operation_id="forgotPassword",
    responses=error_responses(TooManyRequests),
)
async def forgot_password(
    body: ForgotPasswordRequest,
    request: Request,
    background: BackgroundTasks,
    session: SessionDep,
    settings: SettingsDep,
    limiter: RateLimiterDep,
    mailer: MailerDep,
) -> AcceptedResponse:
    """Mail a single-use reset link; the answer is the same whether the account exists."""
    mail = await service.request_password_reset(
        session, settings, limiter, email=body.email, client=_client(request)
    )
    if mail is not None:
        # Sent after the response so neither timing nor a mail error reveals the account.
        background.add_task(send_quietly, mailer, mail)
    return AcceptedResponse(message=FORGOT_MESSAGE)


@router.post(
    "/auth/password/reset",
    response_model=StatusResponse,
    operation_id="resetPassword",
    responses=error_responses(errors.InvalidResetToken, errors.WeakPassword),
)
async def reset_password(
    body: ResetPasswordRequest,
    session: SessionDep,
    settings: SettingsDep,
    limiter: RateLimiterDep,
    passwords: PasswordsDep,
) -> StatusResponse:
    """Set a new password with a reset token; every session of the account ends."""
    await service.reset_password(
        session, settings, limiter, passwords, token=body.token, new_password=body.new_password
    )
    return StatusResponse(status="password_reset")


@router.post(
    "/auth/password/change",
    response_model=TokenPair,
    operation_id="changePassword",
    responses=error_responses(errors.WrongCurrentPassword, errors.WeakPassword, TooManyRequests),
)
async def change_password(
    body: ChangePasswordRequest,
    request: Request,
    response: Response,
    principal: CurrentPrincipal,
    session: SessionDep,
    settings: SettingsDep,
    limiter: RateLimiterDep,
    passwords: PasswordsDep,
) -> TokenPair:
    """Change the password; every session ends and this client gets a fresh one."""
    pair = await service.change_password(
        session,
        settings,
        limiter,
        passwords,
        user=principal.user,
        current_password=body.current_password,
        new_password=body.new_password,
        client=_client(request),
    )
    return _deliver(pair, body.cookie, request, response)
