"""Plain-language rewrite of a report's narrative by a language model, on request only.

Data flow (docs/ASSESSMENT.md, "Plain-language rewrite"): after the person agrees to a
consent text naming the endpoint host, the narrative's statements (id and text) and the
name, band and percentile of each scale they rest on are sent; never answers, free text,
demographics or identity. The reply must pass rewrite_guard before it is stored, beside
the immutable report, encrypted; anything else refuses the whole rewrite and stores none.
"""

from __future__ import annotations

from typing import Any

import orjson
from sqlalchemy.ext.asyncio import AsyncSession

from insight_atlas.accounts.dependencies import Principal
from insight_atlas.consent.errors import ConsentRequired
from insight_atlas.consent.ledger import record_consent
from insight_atlas.crypto import FieldCipher
from insight_atlas.db import database_released, utcnow, wipe_after_commit
from insight_atlas.errors import AppError, Conflict
from insight_atlas.ops.quotas import HourlyQuotas, Quota
from insight_atlas.reports import llm_client, repository
from insight_atlas.reports.llm_client import LlmEndpoint
from insight_atlas.reports.models import Report
from insight_atlas.reports.rewrite_guard import SourceStatement, check_rewrite
from insight_atlas.reports.rewrite_models import ReportRewrite
from insight_atlas.reports.rewrite_schemas import (
    RewriteRead,
    RewriteRequest,
    RewriteStatus,
    RewrittenStatement,
)
from insight_atlas.reports.service import report_body
from insight_atlas.settings import Settings

REWRITE_PURPOSE = "narrative_rewrite"
REWRITE_CONSENT_VERSION = "2026-12-03"
REWRITE_CONSENT_TEXT = (
    "I ask for a plain-language version of this report's narrative, written by the language"
    " model {model} at {host}, a service outside Insight Atlas. Sent there: the report's"
    " narrative statements, and the name, band and percentile of each scale they rest on."
    " Not sent: my answers, free text, sex, age, e-mail address or account. The rewrite is"
    " stored beside my report until I delete it; the report itself does not change, and a"
    " shared link never shows the rewrite."
)


class RewriteUnavailable(AppError):
    code = "rewrite_unavailable"
    status_code = 503
    message = (
        "Plain-language rewrites are not offered here: no language model is configured"
        " (NARRATIVE_LLM_BASE_URL and NARRATIVE_LLM_MODEL)."
    )


class RewriteNotFound(AppError):
    code = "not_found"
    status_code = 404
    message = "This report has no plain-language rewrite."


class RewriteRejected(AppError):
    """The model answered, but its rewrite failed a check; the original stays."""

    code = "rewrite_rejected"
    status_code = 502
    # The consent row stays: the statements did leave, and the ledger must say so.
    keeps_changes = True


class RewriteUpstreamFailed(AppError):
    code = "rewrite_upstream_failed"
    status_code = 502
    keeps_changes = True


def consent_text(endpoint: LlmEndpoint) -> str:
    return REWRITE_CONSENT_TEXT.format(model=endpoint.model, host=endpoint.host)


def statement_id(index: int) -> str:
    return f"s{index + 1}"


def _narrative(body: dict[str, Any]) -> list[str]:
    statements = (body.get("narrative") or {}).get("statements") or []
    return [str(statement.get("text", "")) for statement in statements]


def _scales(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    scales = {scale["key"]: scale for scale in body.get("scales") or []}
    for addon in (body.get("addons") or {}).values():
        scales.update({scale["key"]: scale for scale in addon.get("scales") or []})
    return scales


def _percentile(scale: dict[str, Any]) -> int | None:
    value = scale.get("percentile")
    return None if value is None else round(float(value))


def outgoing_document(body: dict[str, Any]) -> tuple[dict[str, Any], list[SourceStatement]]:
    """What is sent (built field by field from an allow-list, so nothing else can leak),
    and the sources the reply is checked against."""
    scales = _scales(body)
    statements = (body.get("narrative") or {}).get("statements") or []
    sent_statements: list[dict[str, Any]] = []
    sources: list[SourceStatement] = []
    used_scales: dict[str, dict[str, Any]] = {}
    for index, statement in enumerate(statements):
        keys = [k for k in (statement.get("evidence") or {}).get("scales", []) if k in scales]
        names = [str(scales[key].get("label", key)) for key in keys]
        for key in keys:
            used_scales[key] = scales[key]
        sid, text = statement_id(index), str(statement.get("text", ""))
        sent_statements.append({"id": sid, "text": text, "scales": names})
        percentiles = (_percentile(scales[key]) for key in keys)
        sources.append(
            SourceStatement(sid, text, tuple(float(p) for p in percentiles if p is not None))
        )
    document = {
        "statements": sent_statements,
        "scales": [
            {
                "name": str(scale.get("label", key)),
                "band": scale.get("band"),
                "percentile": _percentile(scale),
            }
            for key, scale in used_scales.items()
        ],
    }
    return document, sources


def _read(rewrite: ReportRewrite, cipher: FieldCipher, originals: list[str]) -> RewriteRead:
    texts: dict[str, str] = orjson.loads(cipher.decrypt(rewrite.statements_ciphertext))
    return RewriteRead(
        report_id=rewrite.report_id,
        model=rewrite.model,
        endpoint_host=rewrite.endpoint_host,
        prompt_version=rewrite.prompt_version,
        created_at=rewrite.created_at,
        statements=[
            RewrittenStatement(id=statement_id(i), text=texts[statement_id(i)], original=original)
            for i, original in enumerate(originals)
            if statement_id(i) in texts
        ],
    )


async def status(
    session: AsyncSession, settings: Settings, cipher: FieldCipher, report: Report
) -> RewriteStatus:
    endpoint = LlmEndpoint.from_settings(settings)
    stored = await repository.rewrite_of(session, report.id)
    rewrite = None
    if stored is not None:
        originals = _narrative(orjson.loads(report_body(cipher, report)))
        rewrite = _read(stored, cipher, originals)
    return RewriteStatus(
        available=endpoint is not None,
        endpoint_host=endpoint.host if endpoint else None,
        model=endpoint.model if endpoint else None,
        consent_purpose=REWRITE_PURPOSE,
        consent_version=REWRITE_CONSENT_VERSION,
        consent_text=consent_text(endpoint) if endpoint else None,
        rewrite=rewrite,
    )


def _check_consent(body: RewriteRequest, endpoint: LlmEndpoint) -> None:
    details = {
        "current_version": REWRITE_CONSENT_VERSION,
        "endpoint_host": endpoint.host,
    }
    if not body.consent:
        raise ConsentRequired(
            "A rewrite sends the narrative to an outside service: send consent=true with the"
            " consent_version you accepted (text at GET /v1/reports/{id}/rewrite).",
            details=details,
        )
    if body.consent_version != REWRITE_CONSENT_VERSION:
        raise ConsentRequired(
            f"Consent version {body.consent_version!r} is not the current one"
            f" ({REWRITE_CONSENT_VERSION}); please read and accept the current text.",
            details=details,
        )
    if body.endpoint_host is not None and body.endpoint_host != endpoint.host:
        # The person agreed to send their narrative somewhere else.
        raise Conflict(
            f"The language model endpoint is now {endpoint.host}, not {body.endpoint_host};"
            " please read and accept the current consent text.",
            code="consent_outdated",
            details=details,
        )


async def create(
    session: AsyncSession,
    settings: Settings,
    quotas: HourlyQuotas,
    cipher: FieldCipher,
    principal: Principal,
    report: Report,
    body: RewriteRequest,
    *,
    ip_address: str,
    user_agent: str | None,
) -> RewriteRead:
    """Ask the model for a rewrite, check it and store it (replacing an earlier one)."""
    endpoint = LlmEndpoint.from_settings(settings)
    if endpoint is None:
        raise RewriteUnavailable()
    _check_consent(body, endpoint)
    report_json = orjson.loads(report_body(cipher, report))
    originals = _narrative(report_json)
    if not originals:
        raise Conflict(
            "This report has no narrative statements to rewrite.", code="nothing_to_rewrite"
        )
    # Every attempt counts, refused ones too: each one is a call to a paid or busy model.
    await quotas.spend(Quota.NARRATIVE_REWRITE, principal.account)
    document, sources = outgoing_document(report_json)
    consent = record_consent(
        session,
        user_id=principal.user_id,
        purpose=REWRITE_PURPOSE,
        version=REWRITE_CONSENT_VERSION,
        ip_address=ip_address,
        user_agent=user_agent,
    )
    await session.flush()
    consent_id = consent.id
    # The model may take many seconds: the consent row is committed and the connection
    # and slot handed back meanwhile, so other requests never wait on it.
    try:
        async with database_released(session, always=True):
            content = await llm_client.complete(endpoint, document)
        rewritten = llm_client.parse_reply(content)
    except llm_client.UpstreamFailed as exc:
        raise RewriteUpstreamFailed(
            f"The language model failed ({exc.reason}); your report is unchanged.",
            status_code=504 if exc.timed_out else 502,
            details={"reason": "timeout" if exc.timed_out else "upstream_error"},
        ) from exc
    except llm_client.MalformedReply as exc:
        raise RewriteRejected(
            f"The language model's reply could not be read ({exc}); your report is unchanged.",
            details={"reason": "malformed_reply", "statement_id": None},
        ) from exc
    refusal = check_rewrite(sources, rewritten)
    if refusal is not None:
        raise RewriteRejected(
            f"{refusal.message} The rewrite was refused; your report is unchanged.",
            details={"reason": refusal.reason, "statement_id": refusal.statement_id},
        )
    texts = {source.id: rewritten[source.id].strip() for source in sources}
    await repository.delete_rewrite(session, report.id)
    stored = ReportRewrite(
        report_id=report.id,
        user_id=report.user_id,
        consent_id=consent_id,
        model=endpoint.model[:200],
        endpoint_host=endpoint.host[:255],
        prompt_version=llm_client.PROMPT_VERSION,
        statements_ciphertext=cipher.encrypt(orjson.dumps(texts)),
        created_at=utcnow(),
    )
    session.add(stored)
    await session.flush()
    return _read(stored, cipher, originals)


async def forget(session: AsyncSession, report_id: str) -> None:
    """Delete a report's rewrite, if it has one (with the report; the foreign key would
    too, but erasure is explicit here, as in the purge)."""
    await repository.delete_rewrite(session, report_id)


async def remove(session: AsyncSession, report: Report) -> None:
    if not await repository.delete_rewrite(session, report.id):
        raise RewriteNotFound()
    wipe_after_commit(session)


async def export_rewrites(
    session: AsyncSession, cipher: FieldCipher, user_id: int
) -> list[dict[str, Any]]:
    """The user's stored rewrites, decrypted, for GET /v1/me/export."""
    rows = await repository.rewrites_of_user(session, user_id)
    return [
        {
            "report_id": row.report_id,
            "label": "Rewritten by a language model",
            "model": row.model,
            "endpoint_host": row.endpoint_host,
            "prompt_version": row.prompt_version,
            "consent_id": row.consent_id,
            "created_at": row.created_at,
            "statements": orjson.loads(cipher.decrypt(row.statements_ciphertext)),
        }
        for row in rows
    ]
