"""A deleted account leaves nothing that could act on a later account (issue 14, item 4)."""

from __future__ import annotations

import httpx

from conftest import TEST_PASSWORD, bearer, signed_in_user


async def delete_account(client: httpx.AsyncClient, access_token: str) -> None:
    response = await client.request(
        "DELETE", "/v1/me", json={"password": TEST_PASSWORD}, headers=bearer(access_token)
    )
    assert response.status_code == 204, response.text


async def test_the_next_account_never_gets_a_deleted_accounts_id(
    client: httpx.AsyncClient,
) -> None:
    deleted, tokens = await signed_in_user(client)
    await delete_account(client, tokens["access_token"])
    following, _ = await signed_in_user(client)
    assert following["id"] > deleted["id"]
