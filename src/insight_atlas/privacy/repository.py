"""Queries of the data-subject rights: a person's rows in every domain's tables, read for
the export and deleted for the purge and the account deletion. Privacy sits above the
domains whose tables it reads (docs/ARCHITECTURE.md)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from insight_atlas.accounts.models import AuthSession, PasswordResetToken, RefreshToken, User
from insight_atlas.assessments.models import Assessment
from insight_atlas.billing.models import Subscription
from insight_atlas.consent.models import ConsentRecord
from insight_atlas.reports.models import Report, ShareLink
from insight_atlas.reports.rewrite_models import ReportRewrite


@dataclass(frozen=True, slots=True)
class PersonalRecords:
    """A person's rows, each kind oldest first (the export's source)."""

    subscription: Subscription | None
    consents: list[ConsentRecord]
    sign_ins: list[AuthSession]
    assessments: list[Assessment]
    reports: list[Report]
    share_links: list[ShareLink]
    reset_links: list[PasswordResetToken]


async def _all_of(session: AsyncSession, model: Any, user_id: int, order: Any) -> list[Any]:
    rows = await session.scalars(select(model).where(model.user_id == user_id).order_by(order))
    return list(rows.all())


async def subscription_of(session: AsyncSession, user_id: int) -> Subscription | None:
    return await session.scalar(select(Subscription).where(Subscription.user_id == user_id))


async def records_of(session: AsyncSession, user_id: int) -> PersonalRecords:
    return PersonalRecords(
        subscription=await subscription_of(session, user_id),
        consents=await _all_of(session, ConsentRecord, user_id, ConsentRecord.accepted_at),
        sign_ins=await _all_of(session, AuthSession, user_id, AuthSession.created_at),
        assessments=await _all_of(session, Assessment, user_id, Assessment.created_at),
        reports=await _all_of(session, Report, user_id, Report.created_at),
        share_links=await _all_of(session, ShareLink, user_id, ShareLink.created_at),
        reset_links=await _all_of(
            session, PasswordResetToken, user_id, PasswordResetToken.created_at
        ),
    )


async def count_of(session: AsyncSession, model: Any, user_id: int) -> int:
    """How many rows of `model` (a table with a user_id) are the user's."""
    return int(await session.scalar(select(func.count()).where(model.user_id == user_id)) or 0)


async def delete_assessment_data(session: AsyncSession, user_id: int) -> None:
    """Share links, rewrites, reports and assessments, in that order, so the purge never
    depends on the database honouring cascades."""
    for model in (ShareLink, ReportRewrite, Report, Assessment):
        await session.execute(delete(model).where(model.user_id == user_id))


async def delete_account_rows(session: AsyncSession, user_id: int) -> None:
    """Everything else of the account, the account last. Tokens explicitly too, like
    everything here: a reset or refresh token that outlived its account, should a cascade
    ever be left undone, must not act on another."""
    await session.execute(delete(ConsentRecord).where(ConsentRecord.user_id == user_id))
    await session.execute(delete(PasswordResetToken).where(PasswordResetToken.user_id == user_id))
    sign_ins = select(AuthSession.id).where(AuthSession.user_id == user_id)
    await session.execute(delete(RefreshToken).where(RefreshToken.session_id.in_(sign_ins)))
    await session.execute(delete(AuthSession).where(AuthSession.user_id == user_id))
    await session.execute(delete(Subscription).where(Subscription.user_id == user_id))
    await session.execute(delete(User).where(User.id == user_id))
