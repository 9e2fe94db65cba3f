"""The plain-language rewrite of a report's narrative, against a fake model on 127.0.0.1."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from conftest import AppMaker
from helpers.api import CLIENT_IP, assert_error, bearer, signed_in_user
from helpers.databases import make_settings
from helpers.flows import SAMPLE_TEXT, answers_for, complete_report, make_pro
from helpers.llm_fakes import FakeModel, fake_model_server
from insight_atlas.app import create_app
from insight_atlas.consent.models import ConsentRecord
from insight_atlas.reports.rewrite import REWRITE_CONSENT_VERSION, REWRITE_PURPOSE
from insight_atlas.reports.rewrite_models import ReportRewrite

TIMEOUT_SECONDS = 0.5


@pytest.fixture
def fake_model() -> Iterator[FakeModel]:
    with fake_model_server() as fake:
        yield fake


@pytest.fixture
async def rewrite_app(make_app: AppMaker, fake_model: FakeModel) -> FastAPI:
    return await make_app(
        narrative_llm_base_url=fake_model.api_url,
        narrative_llm_model="fake-plain-1",
        narrative_llm_api_key="sk-test-local",
        narrative_llm_timeout_seconds=TIMEOUT_SECONDS,
        narrative_rewrites_per_hour=3,
    )


@pytest.fixture
async def rclient(rewrite_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=rewrite_app, client=(CLIENT_IP, 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


async def _report(client: httpx.AsyncClient) -> tuple[dict[str, Any], str, dict[str, Any]]:
    profile, tokens = await signed_in_user(client)
    token = tokens["access_token"]
    document = await complete_report(client, token, free_text=SAMPLE_TEXT, sex="female", age=34)
    return profile, token, document


def _consent(host: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"consent": True, "consent_version": REWRITE_CONSENT_VERSION}
    if host is not None:
        body["endpoint_host"] = host
    return body


async def _count(app: FastAPI, model: Any, **where: Any) -> int:
    async with app.state.database.engine.connect() as connection:
        query = select(func.count()).select_from(model)
        for name, value in where.items():
            query = query.where(getattr(model, name) == value)
        return int(await connection.scalar(query) or 0)


async def test_status_names_the_endpoint_host_before_consent(
    rclient: httpx.AsyncClient, rewrite_app: FastAPI, fake_model: FakeModel
) -> None:
    _, token, document = await _report(rclient)
    response = await rclient.get(f"/v1/reports/{document['id']}/rewrite", headers=bearer(token))
    assert response.status_code == 200, response.text
    status = response.json()
    host = fake_model.base_url.removeprefix("http://")
    assert status["available"] is True
    assert status["endpoint_host"] == host
    assert status["model"] == "fake-plain-1"
    assert status["consent_version"] == REWRITE_CONSENT_VERSION
    assert host in status["consent_text"]
    assert status["rewrite"] is None
    assert fake_model.requests == []  # looking costs nothing and sends nothing


async def test_good_rewrite_is_stored_shown_and_exported(
    rclient: httpx.AsyncClient, rewrite_app: FastAPI, fake_model: FakeModel
) -> None:
    profile, token, document = await _report(rclient)
    report_id = document["id"]
    originals = [s["text"] for s in document["report"]["narrative"]["statements"]]
    assert originals
    url = f"/v1/reports/{report_id}/rewrite"
    host = fake_model.base_url.removeprefix("http://")

    response = await rclient.post(url, json=_consent(host), headers=bearer(token))
    assert response.status_code == 201, response.text
    rewrite = response.json()
    assert rewrite["label"] == "Rewritten by a language model"
    assert rewrite["endpoint_host"] == host and rewrite["model"] == "fake-plain-1"
    assert [s["id"] for s in rewrite["statements"]] == [f"s{i + 1}" for i in range(len(originals))]
    assert [s["original"] for s in rewrite["statements"]] == originals
    assert [s["text"] for s in rewrite["statements"]] == [f"Put simply: {t}" for t in originals]

    # The consent ledger names the purpose and version agreed to.
    consents = await _count(rewrite_app, ConsentRecord, purpose=REWRITE_PURPOSE)
    assert consents == 1
    # Stored encrypted: the rewritten words are not in the row in clear.
    async with rewrite_app.state.database.engine.connect() as connection:
        stored = (await connection.execute(select(ReportRewrite))).one()
    assert b"Put simply" not in bytes(stored.statements_ciphertext)

    # The report itself is unchanged, and GET shows the rewrite.
    again = await rclient.get(f"/v1/reports/{report_id}", headers=bearer(token))
    assert again.json()["report"] == document["report"]
    status = (await rclient.get(url, headers=bearer(token))).json()
    assert status["rewrite"]["statements"] == rewrite["statements"]

    exported = (await rclient.get("/v1/me/export", headers=bearer(token))).json()
    (entry,) = exported["report_rewrites"]
    assert entry["report_id"] == report_id
    assert entry["statements"] == {s["id"]: s["text"] for s in rewrite["statements"]}
    assert REWRITE_PURPOSE in {c["purpose"] for c in exported["consents"]}

    # Asking again replaces the stored rewrite (one per report).
    response = await rclient.post(url, json=_consent(), headers=bearer(token))
    assert response.status_code == 201, response.text
    assert await _count(rewrite_app, ReportRewrite) == 1
    assert profile["id"]


async def test_only_statements_scale_names_bands_and_percentiles_are_sent(
    rclient: httpx.AsyncClient, rewrite_app: FastAPI, fake_model: FakeModel
) -> None:
    profile, tokens = await signed_in_user(rclient)
    await make_pro(rewrite_app, profile["id"])
    token = tokens["access_token"]
    document = await complete_report(
        rclient, token, free_text=SAMPLE_TEXT, sex="male", age=41, include_work_style=True
    )
    response = await rclient.post(
        f"/v1/reports/{document['id']}/rewrite", json=_consent(), headers=bearer(token)
    )
    assert response.status_code == 201, response.text
    (request,) = fake_model.requests
    assert request["model"] == "fake-plain-1"
    assert request["response_format"] == {"type": "json_object"}
    (sent,) = fake_model.sent_documents()
    assert set(sent) == {"statements", "scales"}
    assert all(set(s) == {"id", "text", "scales"} for s in sent["statements"])
    assert all(set(s) == {"name", "band", "percentile"} for s in sent["scales"])
    assert sent["scales"], "the scales behind the statements are sent"
    raw = json.dumps(request).lower()
    report = document["report"]
    for needle in [profile["email"], SAMPLE_TEXT[:40], "male", "demographics", "user_id"]:
        assert needle.lower() not in raw, needle
    assert f'"{profile["id"]}"' not in raw
    # No answers: no item id of the questionnaire appears, nor the answers block.
    item_ids = list(answers_for("mini-ipip")) + list(answers_for("work-style"))
    assert not [item for item in item_ids if f'"{item.lower()}"' in raw]
    for key in ("answers", "free_text", "text_signals", "demographics", "email", "sex", "age"):
        assert f'"{key}"' not in raw, key
    assert report["demographics"]  # the report had them; they stayed home


@pytest.mark.parametrize(
    ("mode", "reason"),
    [
        ("changed_number", "changed_number"),
        ("dropped_id", "missing_statement"),
        ("added_id", "added_statement"),
        ("diagnostic", "diagnostic_language"),
        ("too_long", "too_long"),
        ("malformed", "malformed_reply"),
    ],
)
async def test_a_bad_rewrite_is_refused_and_nothing_is_stored(
    rclient: httpx.AsyncClient,
    rewrite_app: FastAPI,
    fake_model: FakeModel,
    mode: str,
    reason: str,
) -> None:
    _, token, document = await _report(rclient)
    fake_model.mode = mode
    url = f"/v1/reports/{document['id']}/rewrite"
    response = await rclient.post(url, json=_consent(), headers=bearer(token))
    error = assert_error(response, 502, "rewrite_rejected")
    assert response.json()["error"]["message"]
    body = response.json()
    assert "unchanged" in error["message"]
    assert body["error"]["details"]["reason"] == reason
    assert await _count(rewrite_app, ReportRewrite) == 0
    status = (await rclient.get(url, headers=bearer(token))).json()
    assert status["rewrite"] is None
    report = (await rclient.get(f"/v1/reports/{document['id']}", headers=bearer(token))).json()
    assert report["report"] == document["report"]
    # The statements did leave: the consent ledger keeps the row.
    assert await _count(rewrite_app, ConsentRecord, purpose=REWRITE_PURPOSE) == 1


async def test_refusal_reason_is_in_the_error_details(
    rclient: httpx.AsyncClient, fake_model: FakeModel
) -> None:
    _, token, document = await _report(rclient)
    fake_model.mode = "changed_number"
    response = await rclient.post(
        f"/v1/reports/{document['id']}/rewrite", json=_consent(), headers=bearer(token)
    )
    error = response.json()["error"]
    assert error["code"] == "rewrite_rejected"
    assert "87" in error["message"]


async def test_server_errors_are_retried_once_then_fail(
    rclient: httpx.AsyncClient, rewrite_app: FastAPI, fake_model: FakeModel
) -> None:
    _, token, document = await _report(rclient)
    fake_model.mode = "error_500"
    response = await rclient.post(
        f"/v1/reports/{document['id']}/rewrite", json=_consent(), headers=bearer(token)
    )
    error = assert_error(response, 502, "rewrite_upstream_failed")
    assert "HTTP 500" in error["message"]
    assert error["details"] == {"reason": "upstream_error"}
    assert len(fake_model.requests) == 2
    assert await _count(rewrite_app, ReportRewrite) == 0


async def test_a_slow_model_times_out(
    rclient: httpx.AsyncClient, rewrite_app: FastAPI, fake_model: FakeModel
) -> None:
    _, token, document = await _report(rclient)
    fake_model.mode = "slow"
    response = await rclient.post(
        f"/v1/reports/{document['id']}/rewrite", json=_consent(), headers=bearer(token)
    )
    error = assert_error(response, 504, "rewrite_upstream_failed")
    assert "in time" in error["message"]
    assert len(fake_model.requests) == 2  # one retry
    assert await _count(rewrite_app, ReportRewrite) == 0


async def test_consent_is_required_and_must_be_current(
    rclient: httpx.AsyncClient, rewrite_app: FastAPI, fake_model: FakeModel
) -> None:
    _, token, document = await _report(rclient)
    url = f"/v1/reports/{document['id']}/rewrite"
    refused = await rclient.post(
        url,
        json={"consent": False, "consent_version": REWRITE_CONSENT_VERSION},
        headers=bearer(token),
    )
    assert_error(refused, 400, "consent_required")
    missing = await rclient.post(url, json={"consent_version": "x"}, headers=bearer(token))
    assert_error(missing, 422, "validation_error")
    old = await rclient.post(
        url, json={"consent": True, "consent_version": "2020-01-01"}, headers=bearer(token)
    )
    assert_error(old, 400, "consent_required")
    elsewhere = await rclient.post(url, json=_consent("models.example.org"), headers=bearer(token))
    assert_error(elsewhere, 409, "consent_outdated")
    assert fake_model.requests == []
    assert await _count(rewrite_app, ConsentRecord, purpose=REWRITE_PURPOSE) == 0


async def test_other_peoples_reports_are_not_found(
    rclient: httpx.AsyncClient, fake_model: FakeModel
) -> None:
    _, _, document = await _report(rclient)
    _, other = await signed_in_user(rclient)
    url = f"/v1/reports/{document['id']}/rewrite"
    headers = bearer(other["access_token"])
    assert_error(await rclient.get(url, headers=headers), 404, "not_found")
    assert_error(await rclient.post(url, json=_consent(), headers=headers), 404, "not_found")
    assert_error(await rclient.delete(url, headers=headers), 404, "not_found")
    assert fake_model.requests == []


async def test_delete_purge_and_report_deletion_remove_the_rewrite(
    rclient: httpx.AsyncClient, rewrite_app: FastAPI, fake_model: FakeModel
) -> None:
    _, token, document = await _report(rclient)
    url = f"/v1/reports/{document['id']}/rewrite"
    assert (await rclient.post(url, json=_consent(), headers=bearer(token))).status_code == 201
    assert (await rclient.delete(url, headers=bearer(token))).status_code == 204
    assert await _count(rewrite_app, ReportRewrite) == 0
    assert_error(await rclient.delete(url, headers=bearer(token)), 404, "not_found")

    assert (await rclient.post(url, json=_consent(), headers=bearer(token))).status_code == 201
    purged = await rclient.delete("/v1/me/data", headers=bearer(token))
    assert purged.status_code == 200, purged.text
    assert await _count(rewrite_app, ReportRewrite) == 0

    second = await complete_report(rclient, token)
    url = f"/v1/reports/{second['id']}/rewrite"
    assert (await rclient.post(url, json=_consent(), headers=bearer(token))).status_code == 201
    deleted = await rclient.delete(f"/v1/reports/{second['id']}", headers=bearer(token))
    assert deleted.status_code == 204
    assert await _count(rewrite_app, ReportRewrite) == 0


async def test_account_deletion_removes_the_rewrite(
    rclient: httpx.AsyncClient, rewrite_app: FastAPI, fake_model: FakeModel
) -> None:
    _, token, document = await _report(rclient)
    url = f"/v1/reports/{document['id']}/rewrite"
    assert (await rclient.post(url, json=_consent(), headers=bearer(token))).status_code == 201
    from helpers.api import TEST_PASSWORD

    response = await rclient.request(
        "DELETE", "/v1/me", json={"password": TEST_PASSWORD}, headers=bearer(token)
    )
    assert response.status_code == 204, response.text
    assert await _count(rewrite_app, ReportRewrite) == 0


async def test_share_links_never_show_the_rewrite(
    rclient: httpx.AsyncClient, rewrite_app: FastAPI, fake_model: FakeModel
) -> None:
    profile, tokens = await signed_in_user(rclient)
    await make_pro(rewrite_app, profile["id"])
    token = tokens["access_token"]
    document = await complete_report(rclient, token)
    url = f"/v1/reports/{document['id']}/rewrite"
    assert (await rclient.post(url, json=_consent(), headers=bearer(token))).status_code == 201
    shared = await rclient.post(f"/v1/reports/{document['id']}/share", headers=bearer(token))
    assert shared.status_code == 201, shared.text
    view = await rclient.get(f"/v1/shared/{shared.json()['token']}")
    assert view.status_code == 200
    assert "Put simply" not in view.text and "language model" not in view.text


async def test_rate_limit_trips(rclient: httpx.AsyncClient, fake_model: FakeModel) -> None:
    _, token, document = await _report(rclient)
    url = f"/v1/reports/{document['id']}/rewrite"
    for _ in range(3):
        assert (await rclient.post(url, json=_consent(), headers=bearer(token))).status_code == 201
    limited = await rclient.post(url, json=_consent(), headers=bearer(token))
    assert_error(limited, 429, "rate_limited")
    assert "Retry-After" in limited.headers
    assert len(fake_model.requests) == 3


async def test_off_without_configuration(client: httpx.AsyncClient) -> None:
    _, token, document = await _report(client)
    url = f"/v1/reports/{document['id']}/rewrite"
    status = (await client.get(url, headers=bearer(token))).json()
    assert status["available"] is False
    assert status["endpoint_host"] is None and status["consent_text"] is None
    refused = await client.post(url, json=_consent(), headers=bearer(token))
    assert_error(refused, 503, "rewrite_unavailable")


async def test_the_database_slot_is_free_while_the_model_thinks(
    database_url: str, tmp_path: Path, fake_model: FakeModel
) -> None:
    # One database slot, a short wait for it, and a model that takes longer than that wait:
    # a request arriving meanwhile is served only if the rewrite gave its slot back.
    settings = make_settings(
        database_url,
        tmp_path / "data",
        narrative_llm_base_url=fake_model.api_url,
        narrative_llm_model="fake-plain-1",
        narrative_llm_timeout_seconds=5.0,
        db_pool_size=1,
        db_pool_timeout_seconds=0.3,
    )
    application = create_app(settings)
    transport = httpx.ASGITransport(app=application, client=(CLIENT_IP, 40000))
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            _, token, document = await _report(http)
            fake_model.mode, fake_model.slow_seconds = "slow", 1.0
            url = f"/v1/reports/{document['id']}/rewrite"
            pending = asyncio.create_task(http.post(url, json=_consent(), headers=bearer(token)))
            for _ in range(250):  # until the model has the request (at most 5 s)
                if fake_model.requests:
                    break
                await asyncio.sleep(0.02)
            meanwhile = await http.get("/v1/reports", headers=bearer(token))
            assert meanwhile.status_code == 200, meanwhile.text
            assert not pending.done()
            finished = await pending
            assert finished.status_code == 201, finished.text
    finally:
        await application.state.rate_limiter.close()
        await application.state.database.engine.dispose()
