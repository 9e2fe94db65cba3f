"""Data-subject rights: export everything, purge assessment data, delete the account."""

from __future__ import annotations

from typing import Any

import orjson
from sqlalchemy.ext.asyncio import AsyncSession

from insight_atlas.accounts.errors import WrongCurrentPassword
from insight_atlas.accounts.lockout import check_password
from insight_atlas.accounts.models import User
from insight_atlas.accounts.passwords import PasswordService
from insight_atlas.assessments.models import Assessment
from insight_atlas.billing.customer_events import (
    EventOwner,
    events_of,
    export_events,
    redact_events_of,
)
from insight_atlas.billing.models import Subscription
from insight_atlas.billing.service import cancel_subscription_for_account_deletion
from insight_atlas.crypto import FieldCipher
from insight_atlas.db import wipe_after_commit
from insight_atlas.ops.ratelimit import RateLimiter
from insight_atlas.privacy import repository
from insight_atlas.privacy.schemas import PurgeResult
from insight_atlas.reports.models import Report, ShareLink
from insight_atlas.reports.rewrite import export_rewrites
from insight_atlas.settings import Settings

EXPORT_FORMAT_VERSION = "3"  # 3: report rewrites; 2: billing events, reset links, grace dates


def _event_owner(user_id: int, subscription: Subscription | None) -> EventOwner:
    if subscription is None:
        return EventOwner.of(user_id)
    return EventOwner.of(
        user_id, subscription.stripe_customer_id, subscription.stripe_subscription_id
    )


async def export(session: AsyncSession, cipher: FieldCipher, user: User) -> dict[str, Any]:
    """Everything stored about the user, decrypted, as one JSON-ready document."""
    records = await repository.records_of(session, user.id)
    subscription = records.subscription
    connection = await session.connection()
    rewrites = await export_rewrites(session, cipher, user.id)
    billing_events = [e async for e in events_of(connection, _event_owner(user.id, subscription))]
    return {
        "format_version": EXPORT_FORMAT_VERSION,
        "account": {
            "id": user.id,
            "email": user.email,
            "display_name": user.display_name,
            "is_active": user.is_active,
            "created_at": user.created_at,
            "updated_at": user.updated_at,
            "last_login_at": user.last_login_at,
            "password_changed_at": user.password_changed_at,
        },
        "subscription": None
        if subscription is None
        else {
            "plan": subscription.plan,
            "status": subscription.status,
            "stripe_customer_id": subscription.stripe_customer_id,
            "stripe_subscription_id": subscription.stripe_subscription_id,
            "stripe_price_id": subscription.stripe_price_id,
            "current_period_end": subscription.current_period_end,
            "cancel_at_period_end": subscription.cancel_at_period_end,
            "grace_period_ends_at": subscription.grace_period_ends_at,
            "stripe_state_at": subscription.stripe_state_at,
            "created_at": subscription.created_at,
            "updated_at": subscription.updated_at,
        },
        "consents": [
            {
                "id": c.id,
                "purpose": c.purpose,
                "version": c.version,
                "accepted_at": c.accepted_at,
                "ip_address": c.ip_address,
                "user_agent": c.user_agent,
            }
            for c in records.consents
        ],
        # The Stripe events about this person, as received: they are theirs.
        "billing_events": export_events(billing_events),
        # Reset links asked for: when, from where, whether used; never the token hash.
        "password_resets": [
            {
                "created_at": r.created_at,
                "expires_at": r.expires_at,
                "used_at": r.used_at,
                "requested_ip": r.requested_ip,
            }
            for r in records.reset_links
        ],
        "sessions": [
            {
                "created_at": s.created_at,
                "last_used_at": s.last_used_at,
                "expires_at": s.expires_at,
                "revoked_at": s.revoked_at,
                "revoked_reason": s.revoked_reason,
                "ip_address": s.ip_address,
                "user_agent": s.user_agent,
            }
            for s in records.sign_ins
        ],
        "assessments": [
            {
                "id": a.id,
                "instrument": a.instrument_key,
                "instrument_version": a.instrument_version,
                "include_work_style": a.include_work_style,
                "status": a.status,
                "consent_id": a.consent_id,
                "sex": a.sex,
                "age": a.age,
                "answers": a.answers,
                "timings": a.timings,
                "free_text": cipher.decrypt_text(a.free_text_ciphertext)
                if a.free_text_ciphertext
                else None,
                "created_at": a.created_at,
                "updated_at": a.updated_at,
                "submitted_at": a.submitted_at,
            }
            for a in records.assessments
        ],
        "reports": [
            {
                "id": r.id,
                "assessment_id": r.assessment_id,
                "created_at": r.created_at,
                "report": orjson.loads(cipher.decrypt_document(r.body_ciphertext)),
            }
            for r in records.reports
        ],
        # Plain-language rewrites of report narratives by a language model.
        "report_rewrites": rewrites,
        "share_links": [
            {
                "report_id": link.report_id,
                "created_at": link.created_at,
                "expires_at": link.expires_at,
                "revoked_at": link.revoked_at,
            }
            for link in records.share_links
        ],
    }


async def purge_data(session: AsyncSession, user_id: int) -> PurgeResult:
    """Delete assessments, reports and share links; the account and consent ledger stay."""

    result = PurgeResult(
        assessments_deleted=await repository.count_of(session, Assessment, user_id),
        reports_deleted=await repository.count_of(session, Report, user_id),
        share_links_deleted=await repository.count_of(session, ShareLink, user_id),
    )
    wipe_after_commit(session)
    await repository.delete_assessment_data(session, user_id)
    return result


async def delete_account(
    session: AsyncSession,
    settings: Settings,
    limiter: RateLimiter,
    passwords: PasswordService,
    user: User,
    password: str,
) -> None:
    # Counted like a sign-in: a stolen access token must not allow unlimited guesses.
    verified = await check_password(
        session,
        settings,
        limiter,
        passwords,
        email=user.email,
        password_hash=user.password_hash,
        password=password,
    )
    if not verified:
        raise WrongCurrentPassword("The password is incorrect; the account was not deleted.")
    # Billing first: if Stripe refuses, nothing is deleted and the person can retry.
    await cancel_subscription_for_account_deletion(session, settings, user.id)
    subscription = await repository.subscription_of(session, user.id)
    # Stored Stripe events name the customer (ids, e-mail, name): redacted in the same
    # transaction, keeping only what idempotency needs (event id, type, time).
    await redact_events_of(await session.connection(), _event_owner(user.id, subscription))
    await purge_data(session, user.id)
    await repository.delete_account_rows(session, user.id)
    wipe_after_commit(session)
