"""GET /v1/assessments: my assessments, in progress and submitted, to resume anywhere."""

from __future__ import annotations

import httpx

from helpers.api import assert_error, bearer, signed_in_user
from helpers.flows import complete_report, start


async def test_lists_mine_newest_first_with_progress_and_report_ids(
    client: httpx.AsyncClient,
) -> None:
    _, tokens = await signed_in_user(client)
    token = tokens["access_token"]
    report = await complete_report(client, token)
    started = (await start(client, token, include_work_style=True)).json()
    saved = await client.put(
        f"/v1/assessments/{started['id']}/responses",
        json={"answers": {"mini-01": 3, "mini-02": 4}},
        headers=bearer(token),
    )
    assert saved.status_code == 200, saved.text

    page = (await client.get("/v1/assessments", headers=bearer(token))).json()
    assert (page["total"], page["limit"], page["offset"]) == (2, 20, 0)
    newest, oldest = page["items"]
    assert newest["id"] == started["id"] and newest["status"] == "in_progress"
    assert newest["report_id"] is None and newest["include_work_style"] is True
    assert newest["answered"] == saved.json()["answered"] == 2
    assert newest["total_items"] == saved.json()["total_items"]
    assert oldest["status"] == "submitted" and oldest["report_id"] == report["id"]
    assert oldest["answered"] == oldest["total_items"] == 20
    assert "answers" not in newest  # progress only: answers are read one assessment at a time

    only_open = await client.get(
        "/v1/assessments", params={"status": "in_progress"}, headers=bearer(token)
    )
    assert [item["id"] for item in only_open.json()["items"]] == [started["id"]]
    second = await client.get(
        "/v1/assessments", params={"limit": 1, "offset": 1}, headers=bearer(token)
    )
    assert [item["id"] for item in second.json()["items"]] == [oldest["id"]]


async def test_shows_nobody_else_s_assessments(client: httpx.AsyncClient) -> None:
    _, mine = await signed_in_user(client)
    _, theirs = await signed_in_user(client)
    await start(client, theirs["access_token"])
    page = (await client.get("/v1/assessments", headers=bearer(mine["access_token"]))).json()
    assert page == {"items": [], "total": 0, "limit": 20, "offset": 0}


async def test_needs_sign_in_and_sane_paging(client: httpx.AsyncClient) -> None:
    assert_error(await client.get("/v1/assessments"), 401, "invalid_token")
    _, tokens = await signed_in_user(client)
    for params in ({"limit": 0}, {"limit": 101}, {"offset": -1}, {"status": "done"}):
        response = await client.get(
            "/v1/assessments", params=params, headers=bearer(tokens["access_token"])
        )
        assert_error(response, 422, "validation_error")
