"""Persisted reports: history, one report, comparison, share links (deleting a report
deletes its assessment: assessments/service.py)."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any, Protocol

import orjson
from sqlalchemy.ext.asyncio import AsyncSession

from insight_atlas.accounts import tokens
from insight_atlas.crypto import FieldCipher
from insight_atlas.db import utcnow
from insight_atlas.reports import errors, repository
from insight_atlas.reports.models import Report, ShareLink
from insight_atlas.reports.schemas import (
    Comparison,
    ReportPage,
    ReportSummary,
    ScaleChange,
    ShareLinkRead,
)
from insight_atlas.reports.shared_view import shared_report
from insight_atlas.settings import Settings
from insight_atlas.validation import is_uuid

RCI_THRESHOLD = 1.96
RCI_CITATION = (
    "Jacobson, N. S., & Truax, P. (1991). Clinical significance: A statistical approach to "
    "defining meaningful change in psychotherapy research. Journal of Consulting and "
    "Clinical Psychology, 59(1), 12-19."
)


async def get_owned(session: AsyncSession, user_id: int, report_id: str) -> Report:
    """The report if it belongs to the user; 404 otherwise (never reveal others')."""
    report = (
        await repository.owned_report(session, user_id, report_id) if is_uuid(report_id) else None
    )
    if report is None:
        raise errors.ReportNotFound()
    return report


async def list_reports(
    session: AsyncSession, user_id: int, *, limit: int, offset: int
) -> ReportPage:
    total = await repository.count_reports(session, user_id)
    rows = await repository.page_of_reports(session, user_id, utcnow(), limit=limit, offset=offset)
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


def report_body(cipher: FieldCipher, report: Report) -> bytes:
    """The engine's report JSON exactly as it was produced."""
    return cipher.decrypt_document(report.body_ciphertext)


class ReportHead(Protocol):
    """What a report document says of its report besides the engine's body: a stored
    `Report`, or the one a submission has just written (assessments.service)."""

    @property
    def id(self) -> str: ...
    @property
    def assessment_id(self) -> str: ...
    @property
    def created_at(self) -> dt.datetime: ...
    @property
    def body_sha256(self) -> str: ...


def report_document(report: ReportHead, body: bytes) -> bytes:
    """`{"id", "assessment_id", "created_at", "report": <engine JSON, byte for byte>}`, with
    `body` the engine's JSON (`report_body`, or the scorer's plaintext at submit)."""
    meta = orjson.dumps(
        {
            "id": report.id,
            "assessment_id": report.assessment_id,
            "created_at": report.created_at,
            "body_sha256": report.body_sha256,
        }
    )
    return meta[:-1] + b',"report":' + body + b"}"


def _scales_by_key(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {scale["key"]: scale for scale in body.get("scales", [])}


def compare(cipher: FieldCipher, earlier: Report, later: Report) -> Comparison:
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
    before = _scales_by_key(orjson.loads(report_body(cipher, earlier)))
    after = _scales_by_key(orjson.loads(report_body(cipher, later)))
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
    session: AsyncSession, settings: Settings, report: Report, days: int | None
) -> ShareLinkRead:
    now = utcnow()
    token = tokens.new_opaque_token()
    expires_at = now + dt.timedelta(days=days or settings.share_link_days)
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
    base = settings.public_web_url.rstrip("/")
    return ShareLinkRead(token=token, url=f"{base}/shared/{token}", expires_at=expires_at)


async def revoke_share_links(session: AsyncSession, report: Report) -> int:
    return await repository.revoke_links(session, report.id, utcnow())


async def shared_view(session: AsyncSession, cipher: FieldCipher, token: str) -> dict[str, Any]:
    now = utcnow()
    row = await repository.link_with_report(session, tokens.hash_opaque_token(token))
    if row is None:
        raise errors.ReportNotFound("This link is invalid, expired or revoked.")
    link, report = row
    if link.revoked_at is not None or link.expires_at <= now:
        raise errors.ReportNotFound("This link is invalid, expired or revoked.")
    return {
        "report": shared_report(orjson.loads(report_body(cipher, report))),
        "created_at": report.created_at,
        "expires_at": link.expires_at,
        "shared": True,
    }
