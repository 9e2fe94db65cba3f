"""The account lockout: one failure counter per account, shared by every check of its
password (sign-in, password change, account deletion).

A stolen access token must not buy unlimited guesses at the password through the
endpoints that ask for it again, so they count against the same limit as sign-in.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from insight_atlas.accounts.passwords import PasswordService
from insight_atlas.db import database_released
from insight_atlas.errors import TooManyRequests
from insight_atlas.ops.ratelimit import RateLimiter, hashed_key
from insight_atlas.settings import Settings

LOCKED_MESSAGE = "Too many wrong passwords for this account; try again later."


def _failures_key(email: str) -> str:
    # By address, not by account id: sign-in counts guesses at addresses that have no
    # account too, so a lockout tells nobody whether one exists.
    return hashed_key("login-fail", email)


async def check_password(
    session: AsyncSession,
    settings: Settings,
    limiter: RateLimiter,
    passwords: PasswordService,
    *,
    email: str,
    password_hash: str | None,
    password: str,
) -> bool:
    """Whether `password` matches `password_hash` (None: no account, always False);
    429 while the account is locked, even for the right password.

    Every attempt is counted before the password is evaluated, with the limiter's atomic
    increment: counted after, concurrent guesses would all be evaluated before the first
    failure was recorded. So at most LOGIN_MAX_FAILURES_PER_ACCOUNT passwords are tried
    per window. The right one clears the count; a wrong one stays counted.
    """
    key = _failures_key(email)
    if settings.rate_limit_enabled:
        # Fails closed: without Redis the count of guesses cannot be kept (503, not a pass).
        attempt = await limiter.hit(key, settings.login_account_window_seconds, fail_closed=True)
        if attempt.count > settings.login_max_failures_per_account:
            raise TooManyRequests(attempt.retry_after_seconds, LOCKED_MESSAGE)
    async with database_released(session, always=True):
        verified = await passwords.verify(password_hash, password)
    if verified:
        await clear_failures(settings, limiter, email)
    return verified


async def clear_failures(settings: Settings, limiter: RateLimiter, email: str) -> None:
    """Unlock the account (the right password was given, or a reset link was used)."""
    if settings.rate_limit_enabled:
        await limiter.reset(_failures_key(email))


def failures_key(email: str) -> str:
    """The limiter key that counts wrong passwords for this address (operators' tools)."""
    return _failures_key(email)
