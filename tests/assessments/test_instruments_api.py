from __future__ import annotations

import httpx

from helpers.api import assert_error


async def test_instruments_list_plans_lengths_and_add_ons(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/instruments")
    assert response.status_code == 200
    by_key = {item["key"]: item for item in response.json()}
    assert by_key["mini-ipip"]["plan"] == "free"
    assert by_key["mini-ipip"]["item_count"] == 20
    assert by_key["ipip-neo-120"]["plan"] == "pro"
    assert by_key["ipip-neo-120"]["item_count"] == 120
    assert by_key["work-style"]["add_on"] is True
    assert all(item["estimated_minutes"] > 0 for item in by_key.values())


async def test_one_instrument_has_items_in_order_scale_and_citations(
    client: httpx.AsyncClient,
) -> None:
    body = (await client.get("/v1/instruments/ipip-neo-120")).json()
    assert [item["number"] for item in body["items"]] == list(range(1, 121))
    assert [option["value"] for option in body["answer_scale"]] == [1, 2, 3, 4, 5]
    assert any("Johnson" in citation for citation in body["citations"].values())
    assert len({scale["key"] for scale in body["scales"]}) == 35  # 30 facets + 5 domains


async def test_unknown_instrument_is_404(client: httpx.AsyncClient) -> None:
    assert_error(await client.get("/v1/instruments/mbti"), 404, "unknown_instrument")


async def test_an_instrument_key_is_at_most_64_characters(client: httpx.AsyncClient) -> None:
    # The 404 quotes the key it did not find: only keys as long as the body's own.
    error = assert_error(await client.get("/v1/instruments/" + "x" * 65), 422, "validation_error")
    assert error["details"]["fields"][0]["field"] == "path.key"
    assert "x" * 65 not in error["message"]


async def test_consent_text_and_version_are_published(client: httpx.AsyncClient) -> None:
    body = (await client.get("/v1/consent")).json()
    assert body["version"] and body["purpose"] == "assessment"
    assert "not a diagnosis" in body["text"]
