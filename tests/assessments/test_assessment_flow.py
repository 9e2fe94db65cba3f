"""Start with consent, save and resume, submit, and the guarantees around each step."""

from __future__ import annotations

import asyncio
import hashlib

import httpx
import orjson
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select, text

from helpers.api import CLIENT_IP, assert_error, bearer, login, signed_in_user
from helpers.flows import SAMPLE_TEXT, answers_for, complete_report, start
from insight_atlas.assessments.models import Assessment
from insight_atlas.consent.models import ConsentRecord
from insight_atlas.engine import score
from insight_atlas.reports.models import Report


async def count(app: FastAPI, model: type) -> int:
    async with app.state.database.sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_consent_is_required_and_must_be_current(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    _, tokens = await signed_in_user(client)
    token = tokens["access_token"]
    missing = await client.post(
        "/v1/assessments", json={"instrument": "mini-ipip"}, headers=bearer(token)
    )
    error = assert_error(missing, 400, "consent_required")
    assert error["details"]["current_version"]
    stale = await start(client, token, consent_version="2020-01-01")
    assert_error(stale, 400, "consent_required")
    assert await count(app, ConsentRecord) == 0
    assert await count(app, Assessment) == 0


async def test_start_records_a_consent_ledger_row(client: httpx.AsyncClient, app: FastAPI) -> None:
    profile, tokens = await signed_in_user(client)
    response = await start(client, tokens["access_token"], sex="female", age=34)
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "in_progress"
    assert (body["answered"], body["total_items"]) == (0, 20)
    async with app.state.database.sessionmaker() as session:
        consent = (await session.scalars(select(ConsentRecord))).one()
    assert consent.user_id == profile["id"]
    assert consent.purpose == "assessment"
    assert consent.version == body["consent_version"]
    assert consent.ip_address == CLIENT_IP


async def test_free_plan_gets_402_for_the_pro_instrument_and_nothing_is_written(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    _, tokens = await signed_in_user(client)
    response = await start(client, tokens["access_token"], "ipip-neo-120")
    error = assert_error(response, 402, "upgrade_required")
    assert error["details"]["plan_needed"] == "pro_monthly"
    assert await count(app, ConsentRecord) == 0


async def test_free_plan_takes_the_ipip50_and_gets_a_report_on_derived_norms(
    client: httpx.AsyncClient,
) -> None:
    _, tokens = await signed_in_user(client)
    document = await complete_report(
        client, tokens["access_token"], "ipip-50", sex="female", age=29
    )
    report = document["report"]
    assert report["instrument"]["key"] == "ipip-50"
    assert report["norms"]["group_id"] == "female_21_40"
    assert report["norms"]["status"] == "derived"
    assert report["norms"]["sample"].startswith("open online volunteer sample, N = 19,718")
    assert [scale["key"] for scale in report["scales"]] == ["E", "A", "C", "N", "I"]
    assert {scale["interval"]["alpha_status"] for scale in report["scales"]} == {"derived"}


async def test_answers_save_partially_idempotently_and_resume_elsewhere(
    client: httpx.AsyncClient,
) -> None:
    profile, tokens = await signed_in_user(client)
    token = tokens["access_token"]
    assessment_id = (await start(client, token, include_work_style=True)).json()["id"]
    first_half = dict(list(answers_for("mini-ipip").items())[:10])
    body = {"answers": first_half, "item_seconds": {"mini-01": 4.5}, "free_text": SAMPLE_TEXT}
    url = f"/v1/assessments/{assessment_id}/responses"
    once = await client.put(url, json=body, headers=bearer(token))
    twice = await client.put(url, json=body, headers=bearer(token))
    assert once.status_code == twice.status_code == 200
    strip = {"updated_at"}
    assert {k: v for k, v in once.json().items() if k not in strip} == {
        k: v for k, v in twice.json().items() if k not in strip
    }
    assert twice.json()["answered"] == 10
    assert twice.json()["total_items"] == 20 + 18

    other_device = await login(client, profile["email"])
    resumed = await client.get(
        f"/v1/assessments/{assessment_id}", headers=bearer(other_device["access_token"])
    )
    assert resumed.json()["answers"] == first_half
    assert resumed.json()["free_text"] == SAMPLE_TEXT
    cleared = await client.put(
        url,
        json={"answers": {"mini-01": None}, "free_text": ""},
        headers=bearer(other_device["access_token"]),
    )
    assert "mini-01" not in cleared.json()["answers"]
    assert cleared.json()["free_text"] is None


@pytest.mark.parametrize(
    ("answers", "mentioned"),
    [
        ({"mini-01": 6}, "mini-01=6"),
        ({"mini-01": 0}, "mini-01=0"),
        ({"neo-001": 3}, "neo-001"),
        ({"ws-focus-1": 3}, "ws-focus-1"),  # work-style not included in this assessment
    ],
)
async def test_invalid_answers_are_refused_with_the_culprits_and_nothing_saved(
    client: httpx.AsyncClient, answers: dict[str, int], mentioned: str
) -> None:
    _, tokens = await signed_in_user(client)
    token = tokens["access_token"]
    assessment_id = (await start(client, token)).json()["id"]
    body = {"answers": {"mini-02": 4, **answers}}
    response = await client.put(
        f"/v1/assessments/{assessment_id}/responses", json=body, headers=bearer(token)
    )
    error = assert_error(response, 422, "invalid_responses")
    assert mentioned in error["message"]
    state = await client.get(f"/v1/assessments/{assessment_id}", headers=bearer(token))
    assert state.json()["answers"] == {}


async def test_answers_must_be_integers(client: httpx.AsyncClient) -> None:
    _, tokens = await signed_in_user(client)
    token = tokens["access_token"]
    assessment_id = (await start(client, token)).json()["id"]
    for bad in ("4", 4.0, True):
        response = await client.put(
            f"/v1/assessments/{assessment_id}/responses",
            json={"answers": {"mini-01": bad}},
            headers=bearer(token),
        )
        assert_error(response, 422, "validation_error")


@pytest.mark.parametrize(
    "seconds",
    # As a client would write them: `NaN` and `Infinity` are not JSON, but lenient
    # parsers read them, and 1e999 overflows to infinity.
    ["-1", "-0.5", "-1e-9", "86400.5", "1e999", "-1e999", "NaN", "Infinity", "-Infinity"],
)
@pytest.mark.parametrize("where", ["item", "page"])
async def test_negative_or_non_finite_seconds_are_refused_on_save(
    client: httpx.AsyncClient, seconds: str, where: str
) -> None:
    _, tokens = await signed_in_user(client)
    token = tokens["access_token"]
    assessment_id = (await start(client, token)).json()["id"]
    timing = (
        f'"item_seconds": {{"mini-01": {seconds}}}'
        if where == "item"
        else f'"pages": [{{"item_ids": ["mini-01"], "seconds": {seconds}}}]'
    )
    response = await client.put(
        f"/v1/assessments/{assessment_id}/responses",
        content=f'{{"answers": {{"mini-01": 3}}, {timing}}}'.encode(),
        headers={"Content-Type": "application/json", **bearer(token)},
    )
    error = assert_error(response, 422, "validation_error")
    field = "item_seconds.mini-01" if where == "item" else "pages.0.seconds"
    assert error["details"]["fields"][0]["field"] == field, error
    assert error["message"].startswith(f"Invalid request: {field}: ")
    state = (await client.get(f"/v1/assessments/{assessment_id}", headers=bearer(token))).json()
    assert (state["answers"], state["item_seconds"], state["pages"]) == ({}, {}, [])


async def test_zero_and_a_day_of_seconds_are_saved_and_submitted(
    client: httpx.AsyncClient,
) -> None:
    _, tokens = await signed_in_user(client)
    token = tokens["access_token"]
    assessment_id = (await start(client, token)).json()["id"]
    saved = await client.put(
        f"/v1/assessments/{assessment_id}/responses",
        json={
            "answers": answers_for("mini-ipip"),
            "item_seconds": {"mini-01": 0, "mini-02": 86_400},
            "pages": [{"item_ids": ["mini-03"], "seconds": 0.0}],
        },
        headers=bearer(token),
    )
    assert saved.status_code == 200, saved.text
    submitted = await client.post(f"/v1/assessments/{assessment_id}/submit", headers=bearer(token))
    assert submitted.status_code == 201, submitted.text


async def test_item_ids_are_bounded(client: httpx.AsyncClient) -> None:
    _, tokens = await signed_in_user(client)
    token = tokens["access_token"]
    assessment_id = (await start(client, token)).json()["id"]
    for body in (
        {"answers": {"x" * 65: 3}},
        {"item_seconds": {"": 1.0}},
        {"pages": [{"item_ids": ["x" * 65], "seconds": 1.0}]},
        {"answers": {f"item-{index}": 3 for index in range(1001)}},
    ):
        response = await client.put(
            f"/v1/assessments/{assessment_id}/responses", json=body, headers=bearer(token)
        )
        assert_error(response, 422, "validation_error")


async def test_free_text_is_capped_encrypted_at_rest_and_never_logged(
    client: httpx.AsyncClient, app: FastAPI, capsys: pytest.CaptureFixture[str]
) -> None:
    _, tokens = await signed_in_user(client)
    token = tokens["access_token"]
    assessment_id = (await start(client, token)).json()["id"]
    url = f"/v1/assessments/{assessment_id}/responses"
    limit = app.state.settings.max_free_text_chars
    too_long = await client.put(url, json={"free_text": "a" * (limit + 1)}, headers=bearer(token))
    assert_error(too_long, 422, "invalid_responses")

    secret_text = "My unmistakable private reflection about lighthouses."
    await client.put(url, json={"free_text": secret_text}, headers=bearer(token))
    async with app.state.database.engine.connect() as connection:
        stored = await connection.scalar(text("SELECT free_text_ciphertext FROM assessment"))
    assert stored and b"lighthouses" not in bytes(stored)
    await complete_report(client, token, free_text=secret_text)
    assert "lighthouses" not in capsys.readouterr().out


async def test_submit_needs_enough_answers_and_lists_the_missing(
    client: httpx.AsyncClient,
) -> None:
    _, tokens = await signed_in_user(client)
    token = tokens["access_token"]
    assessment_id = (await start(client, token)).json()["id"]
    answers = answers_for("mini-ipip")
    for item_id in ("mini-01", "mini-06", "mini-11"):  # three items of one trait
        answers.pop(item_id)
    await client.put(
        f"/v1/assessments/{assessment_id}/responses",
        json={"answers": answers},
        headers=bearer(token),
    )
    response = await client.post(f"/v1/assessments/{assessment_id}/submit", headers=bearer(token))
    error = assert_error(response, 422, "incomplete_assessment")
    assert error["details"]["unanswered_item_ids"] == ["mini-01", "mini-06", "mini-11"]
    state = await client.get(f"/v1/assessments/{assessment_id}", headers=bearer(token))
    assert state.json()["status"] == "in_progress"


async def test_one_missing_answer_is_prorated_not_refused(client: httpx.AsyncClient) -> None:
    _, tokens = await signed_in_user(client)
    token = tokens["access_token"]
    assessment_id = (await start(client, token)).json()["id"]
    answers = answers_for("mini-ipip")
    answers.pop("mini-01")
    await client.put(
        f"/v1/assessments/{assessment_id}/responses",
        json={"answers": answers},
        headers=bearer(token),
    )
    response = await client.post(f"/v1/assessments/{assessment_id}/submit", headers=bearer(token))
    assert response.status_code == 201
    scales = {s["key"]: s for s in response.json()["report"]["scales"]}
    assert any(s["prorated"] for s in scales.values())


async def test_concurrent_submissions_store_one_report(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    _, tokens = await signed_in_user(client)
    token = tokens["access_token"]
    assessment_id = (await start(client, token)).json()["id"]
    saved = await client.put(
        f"/v1/assessments/{assessment_id}/responses",
        json={"answers": answers_for("mini-ipip", pattern=2), "free_text": SAMPLE_TEXT},
        headers=bearer(token),
    )
    assert saved.status_code == 200

    responses = await asyncio.gather(
        *(
            client.post(f"/v1/assessments/{assessment_id}/submit", headers=bearer(token))
            for _ in range(4)
        )
    )

    assert sorted(r.status_code for r in responses) == [201, 409, 409, 409]
    for response in responses:
        if response.status_code == 409:
            assert_error(response, 409, "already_submitted")
    assert await count(app, Report) == 1
    [winner] = [r for r in responses if r.status_code == 201]
    listed = (await client.get("/v1/reports", headers=bearer(token))).json()
    assert [item["id"] for item in listed["items"]] == [winner.json()["id"]]


async def test_submitted_report_is_immutable_and_reproducible(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    _, tokens = await signed_in_user(client)
    token = tokens["access_token"]
    document = await complete_report(
        client, token, free_text=SAMPLE_TEXT, include_work_style=True, sex="male", age=45
    )
    report = document["report"]
    assert report["disclaimer"] == "This report is a self-reflection aid, not a diagnosis."
    assert report["text_signals"]["label"] == "exploratory"
    assert "work-style" in report["addons"]

    assessment_id = document["assessment_id"]
    again = await client.post(f"/v1/assessments/{assessment_id}/submit", headers=bearer(token))
    assert_error(again, 409, "already_submitted")
    change = await client.put(
        f"/v1/assessments/{assessment_id}/responses",
        json={"answers": {"mini-01": 1}},
        headers=bearer(token),
    )
    assert_error(change, 409, "already_submitted")

    raw = (await client.get(f"/v1/reports/{document['id']}", headers=bearer(token))).content
    stored_body = raw[raw.index(b'"report":') + len(b'"report":') : -1]
    rescored = score(
        "mini-ipip",
        report["answers"],
        demographics={"sex": "male", "age": 45},
        free_text=SAMPLE_TEXT,
    ).to_json()
    assert stored_body == rescored  # byte for byte
    assert hashlib.sha256(stored_body).hexdigest() == document["body_sha256"]
    async with app.state.database.sessionmaker() as session:
        stored = (await session.scalars(select(Report))).one()
    assert b"worry" not in stored.body_ciphertext  # the body quotes free text: encrypted
    assert orjson.loads(stored_body)["answers"] == report["answers"]
    # The row's own columns (what listings and comparisons read) match the body.
    assert (
        stored.id,
        stored.assessment_id,
        stored.instrument_key,
        stored.instrument_version,
        stored.engine_version,
        stored.norms_version,
        stored.validity,
        stored.body_sha256,
    ) == (
        document["id"],
        assessment_id,
        "mini-ipip",
        report["instrument"]["version"],
        report["engine_version"],
        report["norms"]["version"],
        report["validity"]["overall"],
        document["body_sha256"],
    )
    assert stored.created_at.isoformat() == document["created_at"]


@pytest.mark.settings(assessments_per_hour=2)
async def test_assessment_creation_is_rate_limited_per_user(client: httpx.AsyncClient) -> None:
    _, tokens = await signed_in_user(client)
    for _ in range(2):
        assert (await start(client, tokens["access_token"])).status_code == 201
    limited = await start(client, tokens["access_token"])
    assert_error(limited, 429, "rate_limited")
    _, other = await signed_in_user(client)
    assert (await start(client, other["access_token"])).status_code == 201


async def test_malformed_ids_are_404(client: httpx.AsyncClient) -> None:
    _, tokens = await signed_in_user(client)
    for path in ("/v1/assessments/not-a-uuid", "/v1/reports/%00", "/v1/reports/" + "x" * 300):
        response = await client.get(path, headers=bearer(tokens["access_token"]))
        assert_error(response, 404, "not_found")


async def _ready_to_submit(client: httpx.AsyncClient) -> tuple[dict, dict, str]:  # type: ignore[type-arg]
    user, tokens = await signed_in_user(client)
    assessment_id = (await start(client, tokens["access_token"])).json()["id"]
    saved = await client.put(
        f"/v1/assessments/{assessment_id}/responses",
        json={"answers": answers_for("mini-ipip")},
        headers=bearer(tokens["access_token"]),
    )
    assert saved.status_code == 200, saved.text
    return user, tokens, assessment_id


async def _status(app: FastAPI, assessment_id: str) -> str:
    async with app.state.database.sessionmaker() as session:
        return str(
            await session.scalar(select(Assessment.status).where(Assessment.id == assessment_id))
        )


async def test_submit_checks_the_sign_in_before_the_assessment(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    """Submit reads the sign-in and the assessment together (one round trip on
    PostgreSQL); the sign-in is still judged first and in full."""
    _, tokens, assessment_id = await _ready_to_submit(client)
    _, other_tokens, _ = await _ready_to_submit(client)
    path = f"/v1/assessments/{assessment_id}/submit"

    assert_error(await client.post(path), 401, "invalid_token")
    assert_error(await client.post(path, headers=bearer("not-a-token")), 401, "invalid_token")
    # A bad token is 401 whatever the id: the id says nothing to a stranger.
    malformed = "/v1/assessments/not-an-id/submit"
    assert_error(await client.post(malformed, headers=bearer("x")), 401, "invalid_token")
    missing = "/v1/assessments/00000000-0000-4000-8000-000000000000/submit"
    assert_error(await client.post(missing, headers=bearer("x")), 401, "invalid_token")

    # Signed in, but not the owner: 404, and the owner's assessment is untouched.
    other = bearer(other_tokens["access_token"])
    assert_error(await client.post(path, headers=other), 404, "not_found")
    assert_error(await client.post(missing, headers=other), 404, "not_found")
    assert_error(await client.post(malformed, headers=other), 404, "not_found")

    # Signed out: the session is revoked, so the still-unexpired token no longer submits.
    mine = bearer(tokens["access_token"])
    assert (await client.post("/v1/auth/logout", headers=mine)).status_code == 204
    response = await client.post(path, headers=mine)
    assert_error(response, 401, "invalid_token")
    assert "session has ended" in response.json()["error"]["message"]
    assert await _status(app, assessment_id) == "in_progress"
    assert await count(app, Report) == 0


async def test_a_disabled_account_cannot_submit(client: httpx.AsyncClient, app: FastAPI) -> None:
    user, tokens, assessment_id = await _ready_to_submit(client)
    async with app.state.database.sessionmaker() as session, session.begin():
        await session.execute(
            text('UPDATE "user" SET is_active = false WHERE id = :id'), {"id": user["id"]}
        )
    response = await client.post(
        f"/v1/assessments/{assessment_id}/submit", headers=bearer(tokens["access_token"])
    )
    assert_error(response, 401, "invalid_token")
    assert "disabled" in response.json()["error"]["message"]
    assert await _status(app, assessment_id) == "in_progress"

    async with app.state.database.sessionmaker() as session, session.begin():
        await session.execute(
            text('UPDATE "user" SET is_active = true WHERE id = :id'), {"id": user["id"]}
        )
    response = await client.post(
        f"/v1/assessments/{assessment_id}/submit", headers=bearer(tokens["access_token"])
    )
    assert response.status_code == 201, response.text
    assert await _status(app, assessment_id) == "submitted"
