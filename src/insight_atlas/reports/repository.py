"""Queries of reports and their share links."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import delete, exists, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from insight_atlas.reports.models import Report, ShareLink
from insight_atlas.reports.rewrite_models import ReportRewrite


async def owned_report(session: AsyncSession, user_id: int, report_id: str) -> Report | None:
    return await session.scalar(
        select(Report).where(Report.id == report_id, Report.user_id == user_id)
    )


def _active_share(now: dt.datetime) -> Any:
    return exists().where(
        ShareLink.report_id == Report.id,
        ShareLink.revoked_at.is_(None),
        ShareLink.expires_at > now,
    )


async def count_reports(session: AsyncSession, user_id: int) -> int:
    return await session.scalar(select(func.count()).where(Report.user_id == user_id)) or 0


async def page_of_reports(
    session: AsyncSession, user_id: int, now: dt.datetime, *, limit: int, offset: int
) -> list[tuple[Report, bool]]:
    """Newest first, each with whether a share link is live."""
    rows = await session.execute(
        select(Report, _active_share(now).label("shared"))
        .where(Report.user_id == user_id)
        .order_by(Report.created_at.desc(), Report.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return [(report, bool(shared)) for report, shared in rows]


async def revoke_links(session: AsyncSession, report_id: str, now: dt.datetime) -> int:
    result = await session.execute(
        update(ShareLink)
        .where(ShareLink.report_id == report_id, ShareLink.revoked_at.is_(None))
        .values(revoked_at=now)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


async def link_with_report(
    session: AsyncSession, token_hash: str
) -> tuple[ShareLink, Report] | None:
    row = (
        await session.execute(
            select(ShareLink, Report)
            .join(Report, Report.id == ShareLink.report_id)
            .where(ShareLink.token_hash == token_hash)
        )
    ).first()
    return None if row is None else (row[0], row[1])


# --- plain-language rewrites (reports/rewrite.py) --------------------------------------


async def rewrite_of(session: AsyncSession, report_id: str) -> ReportRewrite | None:
    return await session.scalar(select(ReportRewrite).where(ReportRewrite.report_id == report_id))


async def delete_rewrite(session: AsyncSession, report_id: str) -> bool:
    """Delete the report's rewrite; False if it had none."""
    result = await session.execute(
        delete(ReportRewrite).where(ReportRewrite.report_id == report_id)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def rewrites_of_user(session: AsyncSession, user_id: int) -> list[ReportRewrite]:
    rows = await session.scalars(
        select(ReportRewrite)
        .where(ReportRewrite.user_id == user_id)
        .order_by(ReportRewrite.created_at)
    )
    return list(rows.all())
