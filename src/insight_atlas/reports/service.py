"""Persisted reports: history, one report, deletion, comparison, share links."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import orjson
from sqlalchemy import delete, exists, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from insight_atlas.accounts import tokens
from insight_atlas.assessments import errors
from insight_atlas.assessments.models import Assessment, Report, ShareLink
from insight_atlas.db import utcnow, wipe_after_commit
from insight_atlas.reports.schemas import (
    Comparison,
    ReportPage,
    ReportSummary,
    ScaleChange,
    ShareLinkRead,
)
from insight_atlas.reports.shared_view import shared_report
from insight_atlas.services import Services
from insight_atlas.validation import is_uuid

RCI_THRESHOLD = 1.96
RCI_CITATION = (
    "Jacobson, N. S., & Truax, P. (1991). Clinical significance: A statistical approach to "
    "defining meaningful change in psychotherapy research. Journal of Consulting and "
    "Clinical Psychology, 59(1), 12-19."
)


async def get_owned(session: AsyncSession, user_id: int, report_id: str) -> Report:
    if not is_uuid(report_id):
        raise errors.ReportNotFound()
    report = await session.scalar(
        select(Report).where(Report.id == report_id, Report.user_id == user_id)
    )
    if report is None:
        raise errors.ReportNotFound()
    return report


def _active_share(now: dt.datetime) -> Any:
    return exists().where(
        ShareLink.report_id == Report.id,
        ShareLink.revoked_at.is_(None),
        ShareLink.expires_at > now,
    )


async def list_reports(
    session: AsyncSession, user_id: int, *, limit: int, offset: int
) -> ReportPage:
    now = utcnow()
    total = await session.scalar(select(func.count()).where(Report.user_id == user_id)) or 0
    rows = await session.execute(
        select(Report, _active_share(now).label("shared"))
        .where(Report.user_id == user_id)
        .order_by(Report.created_at.desc(), Report.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return ReportPage(
        items=[summary(report, shared) for report, shared in rows],
        total=total,
        limit=limit,
        offset=offset,
    )


def summary(report: Report, shared: bool) -> ReportSummary:
    return ReportSummary(
        id=report.id,
        assessment_id=report.assessment_id,
        instrument=report.instrument_key,
        instrument_version=report.instrument_version,
        engine_version=report.engine_version,
        norms_version=report.norms_version,
        validity=report.validity,
        created_at=report.created_at,
        shared=shared,
    )


def report_body(services: Services, report: Report) -> bytes:
    """The engine's report JSON exactly as it was produced."""
    return services.cipher.decrypt_document(report.body_ciphertext)


def report_document(services: Services, report: Report, body: bytes | None = None) -> bytes:
    """`{"id", "assessment_id", "created_at", "report": <engine JSON, byte for byte>}`.

    `body` skips decryption when the caller already holds the plaintext."""
    meta = orjson.dumps(
        {
            "id": report.id,
            "assessment_id": report.assessment_id,
            "created_at": report.created_at,
            "body_sha256": report.body_sha256,
        }
    )
    if body is None:
        body = report_body(services, report)
    return meta[:-1] + b',"report":' + body + b"}"


async def delete_report(session: AsyncSession, report: Report) -> None:
    # The assessment goes too: a report and the answers behind it live and die together.
    await session.execute(delete(Assessment).where(Assessment.id == report.assessment_id))
    wipe_after_commit(session)


def _scales_by_key(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {scale["key"]: scale for scale in body.get("scales", [])}


def compare(services: Services, earlier: Report, later: Report) -> Comparison:
    if earlier.id == later.id:
        # Zero change against itself says nothing: the person meant another report.
        raise errors.NotComparable("A report cannot be compared with itself; choose another.")
    if earlier.instrument_key != later.instrument_key:
        raise errors.NotComparable(
            f"Reports of different instruments ({earlier.instrument_key} and"
            f" {later.instrument_key}) cannot be compared."
        )
    if earlier.created_at > later.created_at:
        earlier, later = later, earlier
    # T scores against different norms (e.g. the Mini-IPIP's placeholder, then its derived
    # norms) differ by the norms, not the person: only raw change is compared then.
    same_norms = earlier.norms_version == later.norms_version
    before = _scales_by_key(orjson.loads(report_body(services, earlier)))
    after = _scales_by_key(orjson.loads(report_body(services, later)))
    changes: list[ScaleChange] = []
    skipped: list[str] = []
    for key, first in before.items():
        second = after.get(key)
        interval = first.get("interval") or {}
        sem = interval.get("sem_raw")
        if second is None or first.get("raw") is None or second.get("raw") is None or not sem:
            skipped.append(key)
            continue
        # Jacobson & Truax (1991): S_diff = sqrt(2 * SEM^2); RCI = (x2 - x1) / S_diff.
        s_diff = math.sqrt(2.0 * float(sem) ** 2)
        change = float(second["raw"]) - float(first["raw"])
        rci = change / s_diff
        reliable = abs(rci) > RCI_THRESHOLD
        changes.append(
            ScaleChange(
                key=key,
                label=first.get("label", key),
                earlier_raw=first["raw"],
                later_raw=second["raw"],
                change_raw=round(change, 4),
                earlier_t=first.get("t"),
                later_t=second.get("t"),
                change_t=(
                    round(second["t"] - first["t"], 2)
                    if same_norms and first.get("t") is not None and second.get("t") is not None
                    else None
                ),
                standard_error_of_difference=round(s_diff, 4),
                reliable_change_index=round(rci, 3),
                reliable=reliable,
                direction=(
                    "increase"
                    if reliable and change > 0
                    else "decrease"
                    if reliable
                    else "within measurement error"
                ),
            )
        )
    skipped.extend(key for key in after if key not in before)
    return Comparison(
        instrument=earlier.instrument_key,
        earlier_report_id=earlier.id,
        later_report_id=later.id,
        earlier_created_at=earlier.created_at,
        later_created_at=later.created_at,
        method=(
            "Reliable change index on raw scale scores with each scale's standard error of"
            f" measurement; |RCI| > {RCI_THRESHOLD} means the change exceeds measurement"
            " error at the 95% level."
        ),
        citation=RCI_CITATION,
        scales=changes,
        not_compared=sorted(skipped),
    )


async def create_share_link(
    session: AsyncSession, services: Services, report: Report, days: int | None
) -> ShareLinkRead:
    now = utcnow()
    token = tokens.new_opaque_token()
    expires_at = now + dt.timedelta(days=days or services.settings.share_link_days)
    session.add(
        ShareLink(
            report_id=report.id,
            user_id=report.user_id,
            token_hash=tokens.hash_opaque_token(token),
            created_at=now,
            expires_at=expires_at,
        )
    )
    await session.flush()
    base = services.settings.public_web_url.rstrip("/")
    return ShareLinkRead(token=token, url=f"{base}/shared/{token}", expires_at=expires_at)


async def revoke_share_links(session: AsyncSession, report: Report) -> int:
    result = await session.execute(
        update(ShareLink)
        .where(ShareLink.report_id == report.id, ShareLink.revoked_at.is_(None))
        .values(revoked_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


async def shared_view(session: AsyncSession, services: Services, token: str) -> dict[str, Any]:
    now = utcnow()
    row = (
        await session.execute(
            select(ShareLink, Report)
            .join(Report, Report.id == ShareLink.report_id)
            .where(ShareLink.token_hash == tokens.hash_opaque_token(token))
        )
    ).first()
    if row is None:
        raise errors.ReportNotFound("This link is invalid, expired or revoked.")
    link, report = row
    if link.revoked_at is not None or link.expires_at <= now:
        raise errors.ReportNotFound("This link is invalid, expired or revoked.")
    return {
        "report": shared_report(orjson.loads(report_body(services, report))),
        "created_at": report.created_at,
        "expires_at": link.expires_at,
        "shared": True,
    }
