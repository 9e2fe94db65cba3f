"""Erased data leaves the SQLite files themselves, not just the tables (WAL included)."""

from __future__ import annotations

import uuid
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.engine import make_url

from helpers.api import TEST_PASSWORD, bearer, login, unique_email
from helpers.flows import complete_report, make_pro
from helpers.stripe_fakes import seed_customer_events
from insight_atlas.settings import Settings


@pytest.fixture
def backend() -> str:
    """Raw database files exist on SQLite only (PostgreSQL: docs/SECURITY.md, VACUUM)."""
    return "sqlite"


def raw_bytes(settings: Settings) -> bytes:
    """The database file, its WAL and its shared-memory index, as anyone copying them would."""
    database = Path(str(make_url(settings.database_url).database))
    files = [database.with_name(database.name + suffix) for suffix in ("", "-wal", "-shm")]
    return b"".join(path.read_bytes() for path in files if path.exists())


async def person_with_a_report(client: httpx.AsyncClient, app: FastAPI) -> dict[str, str]:
    """A Pro user with a name, free text, a shared report and Stripe events; the plaintext
    marking them."""
    email = unique_email("erase")
    name = f"Erasable{uuid.uuid4().hex[:10]}"
    free_text = f"My unique marker is {uuid.uuid4().hex} and I worry about it."
    registered = await client.post(
        "/v1/auth/register", json={"email": email, "password": TEST_PASSWORD, "display_name": name}
    )
    assert registered.status_code == 201
    token = (await login(client, email))["access_token"]
    await make_pro(app, registered.json()["id"])
    document = await complete_report(client, token, free_text=free_text, sex="female", age=44)
    share = await client.post(f"/v1/reports/{document['id']}/share", headers=bearer(token))
    assert share.status_code == 201
    customer = await seed_customer_events(client, registered.json()["id"], email)
    return {
        "customer_name": customer.name,
        "customer_id": customer.customer_id,
        "token": token,
        "email": email,
        "name": name,
        "free_text": free_text,
        "report_id": document["id"],
        "assessment_id": document["assessment_id"],
    }


async def test_a_deleted_account_leaves_no_bytes_in_the_database_files(
    client: httpx.AsyncClient, app: FastAPI, settings: Settings
) -> None:
    person = await person_with_a_report(client, app)
    before = raw_bytes(settings)
    assert person["email"].encode() in before and person["name"].encode() in before

    response = await client.request(
        "DELETE", "/v1/me", json={"password": TEST_PASSWORD}, headers=bearer(person["token"])
    )
    assert response.status_code == 204
    after = raw_bytes(settings)
    for key in (
        "email",
        "name",
        "free_text",
        "report_id",
        "assessment_id",
        "customer_name",
        "customer_id",
    ):
        assert person[key].encode() not in after, key


async def test_purged_data_leaves_no_bytes_in_the_database_files(
    client: httpx.AsyncClient, app: FastAPI, settings: Settings
) -> None:
    person = await person_with_a_report(client, app)
    assert person["assessment_id"].encode() in raw_bytes(settings)

    response = await client.delete("/v1/me/data", headers=bearer(person["token"]))
    assert response.status_code == 200
    after = raw_bytes(settings)
    for key in ("free_text", "report_id", "assessment_id"):
        assert person[key].encode() not in after, key
    assert person["email"].encode() in after  # the account stays


async def test_a_deleted_report_leaves_no_bytes_in_the_database_files(
    client: httpx.AsyncClient, app: FastAPI, settings: Settings
) -> None:
    person = await person_with_a_report(client, app)
    response = await client.delete(
        f"/v1/reports/{person['report_id']}", headers=bearer(person["token"])
    )
    assert response.status_code == 204
    after = raw_bytes(settings)
    assert person["report_id"].encode() not in after
    assert person["assessment_id"].encode() not in after
