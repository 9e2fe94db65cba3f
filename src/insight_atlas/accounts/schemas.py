"""Request and response bodies of /v1/auth and /v1/me."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, EmailStr, Field

from insight_atlas.accounts.passwords import MAX_PASSWORD_LENGTH
from insight_atlas.validation import RequestModel


class _Strict(RequestModel):
    pass


class RegisterRequest(_Strict):
    email: EmailStr = Field(max_length=320)
    password: str = Field(min_length=1, max_length=MAX_PASSWORD_LENGTH)
    display_name: str | None = Field(default=None, min_length=1, max_length=100)


_COOKIE_MODE = (
    "Browser sign-in: the refresh token is set as the HttpOnly `atlas_refresh` cookie"
    " (Path=/v1/auth, SameSite=Strict) and `refresh_token` in the answer is null."
)


class LoginRequest(_Strict):
    email: str = Field(min_length=1, max_length=320)
    password: str = Field(min_length=1, max_length=MAX_PASSWORD_LENGTH)
    cookie: bool = Field(default=False, description=_COOKIE_MODE)


class RefreshRequest(_Strict):
    refresh_token: str | None = Field(
        default=None,
        min_length=1,
        max_length=200,
        description="Omitted in cookie mode: the `atlas_refresh` cookie is used (with an"
        " Origin header of this site).",
    )


class LogoutRequest(_Strict):
    refresh_token: str | None = Field(default=None, min_length=1, max_length=200)


class ForgotPasswordRequest(_Strict):
    email: str = Field(min_length=1, max_length=320)


class ResetPasswordRequest(_Strict):
    token: str = Field(min_length=1, max_length=200)
    new_password: str = Field(min_length=1, max_length=MAX_PASSWORD_LENGTH)


class ChangePasswordRequest(_Strict):
    current_password: str = Field(min_length=1, max_length=MAX_PASSWORD_LENGTH)
    new_password: str = Field(min_length=1, max_length=MAX_PASSWORD_LENGTH)
    cookie: bool = Field(default=False, description=_COOKIE_MODE)


class TokenPair(BaseModel):
    access_token: str
    refresh_token: str | None = Field(
        description="Single-use refresh token; null in cookie mode (it is in the cookie)."
    )
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 - the scheme name
    expires_in: int = Field(description="Access-token lifetime in seconds.")
    refresh_expires_in: int = Field(description="Refresh-token lifetime in seconds.")


class SubscriptionRead(BaseModel):
    plan: str
    status: str
    current_period_end: dt.datetime | None
    cancel_at_period_end: bool
    grace_period_ends_at: dt.datetime | None = None


class UserRead(BaseModel):
    id: int
    email: str
    display_name: str | None
    created_at: dt.datetime
    plan: str
    status: str
    entitlements: list[str]
    subscription: SubscriptionRead
    payment_past_due: bool = Field(
        default=False,
        description="The last payment failed; paid features last until the grace period ends.",
    )
    billing_banner: str | None = Field(
        default=None, description="A message the app should show about billing, if any."
    )


class AcceptedResponse(BaseModel):
    status: Literal["accepted"] = "accepted"
    message: str


class StatusResponse(BaseModel):
    status: str
