"""History, deletion, comparison with reliable change, and share links."""

from __future__ import annotations

import datetime as dt
import math

import httpx
from fastapi import FastAPI
from sqlalchemy import update

from helpers.api import assert_error, bearer, signed_in_user
from helpers.flows import SAMPLE_TEXT, complete_report, make_pro, start
from insight_atlas.reports.models import ShareLink


def all_keys(value: object) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in all_keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in all_keys(v)}
    return set()


async def test_history_is_paginated_newest_first(client: httpx.AsyncClient) -> None:
    _, tokens = await signed_in_user(client)
    token = tokens["access_token"]
    made = [(await complete_report(client, token, pattern=p))["id"] for p in range(3)]
    first_page = (await client.get("/v1/reports?limit=2", headers=bearer(token))).json()
    assert first_page["total"] == 3
    assert [item["id"] for item in first_page["items"]] == made[::-1][:2]
    second_page = (await client.get("/v1/reports?limit=2&offset=2", headers=bearer(token))).json()
    assert [item["id"] for item in second_page["items"]] == [made[0]]
    assert first_page["items"][0]["instrument"] == "mini-ipip"
    bad = await client.get("/v1/reports?limit=1000", headers=bearer(token))
    assert_error(bad, 422, "validation_error")


async def test_deleting_a_report_removes_it_and_its_answers(client: httpx.AsyncClient) -> None:
    _, tokens = await signed_in_user(client)
    token = tokens["access_token"]
    document = await complete_report(client, token)
    response = await client.delete(f"/v1/reports/{document['id']}", headers=bearer(token))
    assert response.status_code == 204
    gone = await client.get(f"/v1/reports/{document['id']}", headers=bearer(token))
    assert_error(gone, 404, "not_found")
    assessment = await client.get(
        f"/v1/assessments/{document['assessment_id']}", headers=bearer(token)
    )
    assert_error(assessment, 404, "not_found")


async def test_compare_needs_pro(client: httpx.AsyncClient) -> None:
    _, tokens = await signed_in_user(client)
    token = tokens["access_token"]
    first = await complete_report(client, token, pattern=0)
    second = await complete_report(client, token, pattern=2)
    response = await client.get(
        f"/v1/reports/{first['id']}/compare/{second['id']}", headers=bearer(token)
    )
    error = assert_error(response, 402, "upgrade_required")
    assert error["details"]["plan_needed"] == "pro_monthly"


async def test_compare_reports_reliable_change_per_scale(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    profile, tokens = await signed_in_user(client)
    await make_pro(app, profile["id"])
    token = tokens["access_token"]
    first = await complete_report(client, token, pattern=0)
    second = await complete_report(client, token, pattern=3)
    response = await client.get(
        f"/v1/reports/{second['id']}/compare/{first['id']}", headers=bearer(token)
    )
    assert response.status_code == 200
    body = response.json()
    assert body["earlier_report_id"] == first["id"]  # ordered by time, whatever the URL
    before = {s["key"]: s for s in first["report"]["scales"]}
    after = {s["key"]: s for s in second["report"]["scales"]}
    assert {change["key"] for change in body["scales"]} == set(before)
    for change in body["scales"]:
        sem = before[change["key"]]["interval"]["sem_raw"]
        expected = (after[change["key"]]["raw"] - before[change["key"]]["raw"]) / math.sqrt(
            2 * sem**2
        )
        assert math.isclose(change["reliable_change_index"], expected, abs_tol=1e-3)
        assert change["reliable"] is (abs(expected) > 1.96)
    assert "Jacobson" in body["citation"]


async def test_compare_refuses_different_instruments(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    profile, tokens = await signed_in_user(client)
    await make_pro(app, profile["id"])
    token = tokens["access_token"]
    short = await complete_report(client, token)
    long = await complete_report(client, token, "ipip-neo-120")
    response = await client.get(
        f"/v1/reports/{short['id']}/compare/{long['id']}", headers=bearer(token)
    )
    assert_error(response, 422, "not_comparable")


async def test_compare_refuses_a_report_with_itself(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    profile, tokens = await signed_in_user(client)
    await make_pro(app, profile["id"])
    token = tokens["access_token"]
    report = await complete_report(client, token)
    response = await client.get(
        f"/v1/reports/{report['id']}/compare/{report['id']}", headers=bearer(token)
    )
    error = assert_error(response, 422, "not_comparable")
    assert "itself" in error["message"]


async def test_share_link_shows_scores_only_and_can_be_revoked(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    profile, tokens = await signed_in_user(client)
    await make_pro(app, profile["id"])
    token = tokens["access_token"]
    document = await complete_report(client, token, free_text=SAMPLE_TEXT, sex="female", age=30)
    created = await client.post(f"/v1/reports/{document['id']}/share", headers=bearer(token))
    assert created.status_code == 201
    link = created.json()
    lifetime = dt.datetime.fromisoformat(link["expires_at"]) - dt.datetime.now(dt.UTC)
    assert dt.timedelta(days=6) < lifetime <= dt.timedelta(days=7)
    assert len(link["token"]) >= 40

    shared = await client.get(f"/v1/shared/{link['token']}")  # no authentication
    assert shared.status_code == 200
    report = shared.json()["report"]
    assert report["scales"] and report["narrative"]
    assert report["disclaimer"]
    keys = all_keys(shared.json())
    assert not keys & {"answers", "text_signals", "demographics", "email", "free_text"}
    assert profile["email"] not in shared.text
    assert "worry" not in shared.text  # a word of the free text
    listed = (await client.get("/v1/reports", headers=bearer(token))).json()
    assert listed["items"][0]["shared"] is True

    revoked = await client.delete(f"/v1/reports/{document['id']}/share", headers=bearer(token))
    assert revoked.status_code == 204
    assert_error(await client.get(f"/v1/shared/{link['token']}"), 404, "not_found")


async def test_expired_share_links_stop_working(client: httpx.AsyncClient, app: FastAPI) -> None:
    profile, tokens = await signed_in_user(client)
    await make_pro(app, profile["id"])
    token = tokens["access_token"]
    document = await complete_report(client, token)
    link = (
        await client.post(
            f"/v1/reports/{document['id']}/share",
            json={"expires_in_days": 1},
            headers=bearer(token),
        )
    ).json()
    assert (await client.get(f"/v1/shared/{link['token']}")).status_code == 200
    async with app.state.database.engine.begin() as connection:
        await connection.execute(
            update(ShareLink).values(expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1))
        )
    assert_error(await client.get(f"/v1/shared/{link['token']}"), 404, "not_found")
    assert_error(await client.get("/v1/shared/made-up-token"), 404, "not_found")


async def test_sharing_needs_pro(client: httpx.AsyncClient) -> None:
    _, tokens = await signed_in_user(client)
    token = tokens["access_token"]
    document = await complete_report(client, token)
    response = await client.post(f"/v1/reports/{document['id']}/share", headers=bearer(token))
    assert_error(response, 402, "upgrade_required")


async def test_other_users_get_404_for_everything_of_mine(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    owner, owner_tokens = await signed_in_user(client)
    intruder, intruder_tokens = await signed_in_user(client)
    await make_pro(app, owner["id"])
    await make_pro(app, intruder["id"])
    mine = owner_tokens["access_token"]
    theirs = bearer(intruder_tokens["access_token"])
    first = await complete_report(client, mine)
    second = await complete_report(client, mine, pattern=1)
    own_report = await complete_report(client, intruder_tokens["access_token"])
    pending = (await start(client, mine)).json()["id"]

    attempts = [
        client.get(f"/v1/assessments/{pending}", headers=theirs),
        client.put(f"/v1/assessments/{pending}/responses", json={"answers": {}}, headers=theirs),
        client.post(f"/v1/assessments/{pending}/submit", headers=theirs),
        client.get(f"/v1/reports/{first['id']}", headers=theirs),
        client.delete(f"/v1/reports/{first['id']}", headers=theirs),
        client.get(f"/v1/reports/{first['id']}/compare/{second['id']}", headers=theirs),
        client.get(f"/v1/reports/{own_report['id']}/compare/{first['id']}", headers=theirs),
        client.post(f"/v1/reports/{first['id']}/share", headers=theirs),
        client.delete(f"/v1/reports/{first['id']}/share", headers=theirs),
    ]
    for attempt in attempts:
        assert_error(await attempt, 404, "not_found")
    # Nothing of the owner's changed.
    still = await client.get(f"/v1/reports/{first['id']}", headers=bearer(mine))
    assert still.status_code == 200
    listed = (await client.get("/v1/reports", headers=theirs)).json()
    assert [item["id"] for item in listed["items"]] == [own_report["id"]]
