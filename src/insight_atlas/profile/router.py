"""HTTP endpoints: GET /v1/me and POST /v1/auth/register (both answer with the plan)."""

from __future__ import annotations

from fastapi import APIRouter, Request, status

from insight_atlas.accounts import service as accounts
from insight_atlas.accounts.errors import EmailTaken, WeakPassword
from insight_atlas.accounts.models import User
from insight_atlas.accounts.passwords import PasswordsDep
from insight_atlas.accounts.schemas import RegisterRequest, SubscriptionRead, UserRead
from insight_atlas.billing import service as billing
from insight_atlas.billing.dependencies import CurrentSubscriber
from insight_atlas.billing.entitlements import access_for, billing_banner
from insight_atlas.billing.models import Subscription
from insight_atlas.db import request_session, utcnow
from insight_atlas.errors import TooManyRequests, error_responses
from insight_atlas.ops.client_address import client_address
from insight_atlas.ops.ratelimit import RateLimiterDep
from insight_atlas.settings import SettingsDep
from insight_atlas.validation import CheckedRoute

router = APIRouter(prefix="/v1", route_class=CheckedRoute)


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


# First of the account routes: every page load asks for this one.
@router.get("/me", response_model=UserRead, operation_id="getMe", tags=["accounts"])
async def get_me(subscriber: CurrentSubscriber) -> UserRead:
    """The signed-in user's profile, plan, subscription status and entitlements."""
    return user_read(subscriber.user, subscriber.subscription)


@router.post(
    "/auth/register",
    status_code=status.HTTP_201_CREATED,
    response_model=UserRead,
    operation_id="register",
    tags=["accounts"],
    responses=error_responses(EmailTaken, WeakPassword, TooManyRequests),
)
async def register(
    body: RegisterRequest,
    request: Request,
    settings: SettingsDep,
    limiter: RateLimiterDep,
    passwords: PasswordsDep,
) -> UserRead:
    """Create an account on the Free plan."""
    client = accounts.ClientInfo(
        ip_address=client_address(request), user_agent=request.headers.get("user-agent")
    )
    # The password is hashed before the request takes a database slot: a burst of
    # registrations queues for the hashing cores, not in front of every other request.
    password_hash = await accounts.new_account_password_hash(
        settings, limiter, passwords, email=body.email, password=body.password, client=client
    )
    async with request_session(request) as session:
        user = await accounts.register(
            session, email=body.email, password_hash=password_hash, display_name=body.display_name
        )
        subscription = await billing.start_free_plan(session, user.id)
    return user_read(user, subscription)
