"""Account logic: registration, login, token rotation, password reset and change.

These functions flush but never commit: the request's session dependency owns the transaction.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from insight_atlas.accounts import errors, lockout, repository, tokens
from insight_atlas.accounts.models import AuthSession, PasswordResetToken, RefreshToken, User
from insight_atlas.accounts.passwords import PasswordService, password_problem
from insight_atlas.accounts.repository import normalise_email
from insight_atlas.accounts.schemas import TokenPair
from insight_atlas.db import database_released, utcnow
from insight_atlas.errors import TooManyRequests
from insight_atlas.mail import Mail
from insight_atlas.ops import metrics
from insight_atlas.ops.ratelimit import RateLimiter, hashed_key
from insight_atlas.settings import Settings


@dataclass(frozen=True, slots=True)
class ClientInfo:
    ip_address: str
    user_agent: str | None


async def new_account_password_hash(
    settings: Settings,
    limiter: RateLimiter,
    passwords: PasswordService,
    *,
    email: str,
    password: str,
    client: ClientInfo,
) -> str:
    """The first step of a registration, before it takes a database slot: throttle per
    client address, check the password's rules, hash it."""
    if settings.rate_limit_enabled:
        # Every attempt counts, refused ones included (409 tells whether an address has
        # an account), and before any work is done.
        window = await limiter.hit(
            hashed_key("register-ip", client.ip_address), settings.register_ip_window_seconds
        )
        if window.count > settings.register_max_per_ip:
            raise TooManyRequests(
                window.retry_after_seconds, "Too many registrations from this address."
            )
    problem = password_problem(password, normalise_email(email))
    if problem:
        raise errors.WeakPassword(problem)
    return await passwords.hash(password)


async def register(
    session: AsyncSession, *, email: str, password_hash: str, display_name: str | None
) -> User:
    """Create the account with a hash from `new_account_password_hash` (billing gives every
    new account its Free plan row as it is inserted: billing/models.py)."""
    email = normalise_email(email)
    if await repository.email_taken(session, email):
        raise errors.EmailTaken()
    user = User(email=email, password_hash=password_hash, display_name=display_name)
    session.add(user)
    try:
        await session.flush()
    except IntegrityError as exc:  # a concurrent registration won the race
        raise errors.EmailTaken() from exc
    return user


async def _hash_released(session: AsyncSession, passwords: PasswordService, password: str) -> str:
    """A new password's hash, computed with the database slot handed back."""
    async with database_released(session, always=True):
        return await passwords.hash(password)


async def login(
    session: AsyncSession,
    settings: Settings,
    limiter: RateLimiter,
    passwords: PasswordService,
    *,
    email: str,
    password: str,
    client: ClientInfo,
) -> TokenPair:
    email = normalise_email(email)
    if settings.rate_limit_enabled:
        per_ip = await limiter.hit(
            hashed_key("login-ip", client.ip_address),
            settings.login_ip_window_seconds,
            fail_closed=True,
        )
        if per_ip.count > settings.login_max_attempts_per_ip:
            metrics.labelled(metrics.SIGN_INS, metrics.SIGN_IN_THROTTLED).inc()
            raise TooManyRequests(per_ip.retry_after_seconds, "Too many sign-in attempts.")
    user = await repository.user_with_email(session, email)
    usable_hash = user.password_hash if user is not None and user.is_active else None
    try:
        verified = await lockout.check_password(
            session,
            settings,
            limiter,
            passwords,
            email=email,
            password_hash=usable_hash,
            password=password,
        )
    except TooManyRequests:
        metrics.labelled(metrics.SIGN_INS, metrics.SIGN_IN_LOCKED).inc()
        raise
    if not verified or user is None:
        metrics.labelled(metrics.SIGN_INS, metrics.SIGN_IN_BAD_CREDENTIALS).inc()
        raise errors.InvalidCredentials()
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = await _hash_released(session, passwords, password)
    user.last_login_at = utcnow()
    pair = await _start_session(session, settings, user, client)
    metrics.labelled(metrics.SIGN_INS, metrics.SIGN_IN_SUCCESS).inc()
    return pair


async def _start_session(
    session: AsyncSession, settings: Settings, user: User, client: ClientInfo
) -> TokenPair:
    now = utcnow()
    auth_session = AuthSession(
        id=str(uuid.uuid4()),
        user_id=user.id,
        created_at=now,
        last_used_at=now,
        expires_at=now + dt.timedelta(days=settings.refresh_token_days),
        user_agent=(client.user_agent or "")[:300] or None,
        ip_address=client.ip_address[:64],
    )
    session.add(auth_session)
    await session.flush()
    return await _issue_tokens(session, settings, auth_session, now)


async def _issue_tokens(
    session: AsyncSession, settings: Settings, auth_session: AuthSession, now: dt.datetime
) -> TokenPair:
    refresh_token = tokens.new_opaque_token()
    refresh_expires = min(
        auth_session.expires_at, now + dt.timedelta(days=settings.refresh_token_days)
    )
    session.add(
        RefreshToken(
            session_id=auth_session.id,
            token_hash=tokens.hash_opaque_token(refresh_token),
            created_at=now,
            expires_at=refresh_expires,
        )
    )
    await session.flush()
    lifetime = dt.timedelta(minutes=settings.access_token_minutes)
    access_token = tokens.create_access_token(
        settings.secret_key,
        user_id=auth_session.user_id,
        session_id=auth_session.id,
        now=now,
        lifetime=lifetime,
    )
    return TokenPair(
        access_token=access_token,
        refresh_token=refresh_token,
        expires_in=int(lifetime.total_seconds()),
        refresh_expires_in=max(0, int((refresh_expires - now).total_seconds())),
    )


async def refresh(session: AsyncSession, settings: Settings, *, refresh_token: str) -> TokenPair:
    now = utcnow()
    row = await repository.refresh_token_with_session(
        session, tokens.hash_opaque_token(refresh_token)
    )
    if row is None:
        raise errors.InvalidRefreshToken()
    stored, auth_session = row
    if auth_session.revoked_at is not None:
        raise errors.InvalidRefreshToken()
    if stored.expires_at <= now or auth_session.expires_at <= now:
        raise errors.InvalidRefreshToken("The refresh token has expired; sign in again.")
    # Conditional update: of two concurrent uses of one token exactly one wins.
    if not await repository.rotate_refresh_token(session, stored.id, now):
        # A rotated token came back: it was stolen or replayed, so end the whole family.
        await repository.revoke_sessions(session, [auth_session.id], now, "refresh_token_reuse")
        raise errors.RefreshTokenReused()
    auth_session.last_used_at = now
    return await _issue_tokens(session, settings, auth_session, now)


async def revoke_all_sessions(session: AsyncSession, user_id: int, reason: str) -> None:
    await repository.revoke_sessions_of(session, user_id, utcnow(), reason)


async def logout(
    session: AsyncSession, *, session_id: str | None, refresh_token: str | None
) -> None:
    session_ids = [session_id] if session_id else []
    if refresh_token:
        family = await repository.family_of(session, tokens.hash_opaque_token(refresh_token))
        if family is None and not session_ids:
            raise errors.InvalidRefreshToken()
        if family is not None:
            session_ids.append(family)
    if not session_ids:
        raise errors.InvalidToken("Sign out needs an access token or a refresh token.")
    await repository.revoke_sessions(session, session_ids, utcnow(), "logout")


async def request_password_reset(
    session: AsyncSession,
    settings: Settings,
    limiter: RateLimiter,
    *,
    email: str,
    client: ClientInfo,
) -> Mail | None:
    """Create a reset token and the mail carrying it; None when no such account exists."""
    if settings.rate_limit_enabled:
        window = await limiter.hit(
            hashed_key("forgot-ip", client.ip_address), settings.password_forgot_window_seconds
        )
        if window.count > settings.password_forgot_max_per_ip:
            raise TooManyRequests(window.retry_after_seconds)
    user = await repository.user_with_email(session, normalise_email(email))
    if user is None or not user.is_active:
        return None
    now = utcnow()
    # Only the newest link works: earlier unused ones are retired.
    await repository.retire_reset_tokens(session, user.id, now)
    token = tokens.new_opaque_token()
    session.add(
        PasswordResetToken(
            user_id=user.id,
            token_hash=tokens.hash_opaque_token(token),
            created_at=now,
            expires_at=now + dt.timedelta(minutes=settings.password_reset_minutes),
            requested_ip=client.ip_address[:64],
        )
    )
    await session.flush()
    link = f"{settings.public_web_url.rstrip('/')}/reset-password?token={token}"
    body = (
        "Someone asked to reset the password of your Insight Atlas account.\n\n"
        f"To choose a new password, open this link within {settings.password_reset_minutes}"
        f" minutes:\n\n{link}\n\n"
        f"Or send this token to POST /v1/auth/password/reset: {token}\n\n"
        "If you did not ask for this, ignore this message; your password stays the same.\n"
    )
    return Mail(to=user.email, subject="Reset your Insight Atlas password", body=body)


async def reset_password(
    session: AsyncSession,
    settings: Settings,
    limiter: RateLimiter,
    passwords: PasswordService,
    *,
    token: str,
    new_password: str,
) -> None:
    now = utcnow()
    stored = await repository.reset_token(session, tokens.hash_opaque_token(token))
    if stored is None or stored.used_at is not None or stored.expires_at <= now:
        raise errors.InvalidResetToken()
    user = await repository.user_by_id(session, stored.user_id)
    # A token older than the account was made for an earlier one (deleted with its rows,
    # and ids are never reused; this holds even if either ever failed).
    if user is None or not user.is_active or stored.created_at < user.created_at:
        raise errors.InvalidResetToken()
    # Checked before the token is spent, so a refused password does not burn the link.
    problem = password_problem(new_password, user.email)
    if problem:
        raise errors.WeakPassword(problem)
    # Hashed only once the token proved valid: a made-up token costs no hashing.
    password_hash = await _hash_released(session, passwords, new_password)
    if not await repository.spend_reset_token(session, stored.id, now):
        raise errors.InvalidResetToken()
    await _set_password(session, user, password_hash, now, "password_reset")
    await lockout.clear_failures(settings, limiter, user.email)


async def change_password(
    session: AsyncSession,
    settings: Settings,
    limiter: RateLimiter,
    passwords: PasswordService,
    *,
    user: User,
    current_password: str,
    new_password: str,
    client: ClientInfo,
) -> TokenPair:
    # Counted like a sign-in: a stolen access token must not allow unlimited guesses.
    verified = await lockout.check_password(
        session,
        settings,
        limiter,
        passwords,
        email=user.email,
        password_hash=user.password_hash,
        password=current_password,
    )
    if not verified:
        raise errors.WrongCurrentPassword()
    problem = password_problem(new_password, user.email)
    if problem:
        raise errors.WeakPassword(problem)
    password_hash = await _hash_released(session, passwords, new_password)
    await _set_password(session, user, password_hash, utcnow(), "password_change")
    # Every session ends, this one included; the caller gets a fresh one.
    return await _start_session(session, settings, user, client)


async def _set_password(
    session: AsyncSession, user: User, password_hash: str, now: dt.datetime, reason: str
) -> None:
    user.password_hash = password_hash
    user.password_changed_at = now
    await session.flush()
    await revoke_all_sessions(session, user.id, reason)
