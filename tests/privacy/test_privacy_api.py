"""Export everything, purge assessment data, delete the account, leaving no row behind."""

from __future__ import annotations

import json
import uuid
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import Table, func, select

from helpers.api import TEST_PASSWORD, assert_error, bearer, login, signed_in_user, unique_email
from helpers.flows import SAMPLE_TEXT, complete_report, make_pro, start
from helpers.stripe_fakes import PRICE_MONTHLY, seed_customer_events, stripe_event_rows
from insight_atlas.accounts.models import AuthSession, PasswordResetToken, RefreshToken
from insight_atlas.models import Base


async def rows_of(app: FastAPI, user_id: int) -> dict[str, int]:
    """Per table, how many rows belong to the user (directly or through a session)."""
    counts: dict[str, int] = {}
    async with app.state.database.engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            query = _ownership_query(table, user_id)
            if query is not None:
                counts[table.name] = int(await connection.scalar(query) or 0)
    return counts


def _ownership_query(table: Table, user_id: int):  # type: ignore[no-untyped-def]
    if table.name == "user":
        return select(func.count()).select_from(table).where(table.c.id == user_id)
    if "user_id" in table.c:
        return select(func.count()).select_from(table).where(table.c.user_id == user_id)
    if table.name == RefreshToken.__tablename__:
        sessions = select(AuthSession.id).where(AuthSession.user_id == user_id)
        return select(func.count()).select_from(table).where(table.c.session_id.in_(sessions))
    return None


def test_every_table_is_covered_by_the_ownership_scan() -> None:
    uncovered = [t.name for t in Base.metadata.sorted_tables if _ownership_query(t, 1) is None]
    # stripe_event has no user column: its payloads name the customer, which the content
    # scan (columns_containing) looks for in every column of every table. The
    # deleted_stripe_customer table holds only SHA-256 digests of deleted customers' ids,
    # which the same scan shows hold no id in clear.
    assert set(uncovered) <= {"stripe_event", "deleted_stripe_customer"}, uncovered


def _as_text(value: Any) -> str:
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).decode("latin-1")
    if isinstance(value, dict | list):
        return json.dumps(value)
    return str(value)


async def columns_containing(app: FastAPI, needles: list[str]) -> list[str]:
    """Every `table.column` of every table that holds one of `needles` anywhere."""
    found: list[str] = []
    async with app.state.database.engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            for row in (await connection.execute(select(table))).all():
                for column, value in zip(table.c, row, strict=True):
                    text = _as_text(value).lower()
                    found += [
                        f"{table.name}.{column.name} holds {needle!r}"
                        for needle in needles
                        if needle.lower() in text
                    ]
    return found


async def populate(client: httpx.AsyncClient, app: FastAPI) -> tuple[dict, dict]:  # type: ignore[type-arg]
    profile, tokens = await signed_in_user(client)
    await make_pro(app, profile["id"])
    token = tokens["access_token"]
    document = await complete_report(client, token, free_text=SAMPLE_TEXT, include_work_style=True)
    await complete_report(client, token, "ipip-neo-120", pattern=2)
    await client.post(f"/v1/reports/{document['id']}/share", headers=bearer(token))
    await start(client, token)  # one in progress
    await login(client, profile["email"])  # a second session
    return profile, tokens


async def test_export_contains_everything_stored_about_me(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    profile, tokens = await populate(client, app)
    response = await client.get("/v1/me/export", headers=bearer(tokens["access_token"]))
    assert response.status_code == 200
    assert "attachment" in response.headers["content-disposition"]
    document = response.json()
    assert document["account"]["email"] == profile["email"]
    assert document["subscription"]["plan"] == "pro_monthly"
    assert len(document["consents"]) == 3
    assert len(document["assessments"]) == 3
    assert len(document["reports"]) == 2
    assert len(document["share_links"]) == 1
    assert len(document["sessions"]) == 2
    assert SAMPLE_TEXT in {a["free_text"] for a in document["assessments"]}
    submitted = [a for a in document["assessments"] if a["status"] == "submitted"]
    assert all(a["answers"] for a in submitted)
    assert all(r["report"]["disclaimer"] for r in document["reports"])
    assert "password_hash" not in response.text


async def test_purge_removes_assessment_data_and_keeps_the_account(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    profile, tokens = await populate(client, app)
    _, bystander_tokens = await signed_in_user(client)
    await complete_report(client, bystander_tokens["access_token"])

    response = await client.delete("/v1/me/data", headers=bearer(tokens["access_token"]))
    assert response.status_code == 200
    assert response.json() == {
        "assessments_deleted": 3,
        "reports_deleted": 2,
        "share_links_deleted": 1,
    }
    counts = await rows_of(app, profile["id"])
    assert counts["assessment"] == counts["report"] == counts["share_link"] == 0
    assert counts["user"] == 1 and counts["consent_record"] == 3
    me = await client.get("/v1/me", headers=bearer(tokens["access_token"]))
    assert me.status_code == 200
    others = await client.get("/v1/reports", headers=bearer(bystander_tokens["access_token"]))
    assert others.json()["total"] == 1


async def test_delete_account_needs_the_password(client: httpx.AsyncClient, app: FastAPI) -> None:
    profile, tokens = await signed_in_user(client)
    response = await client.request(
        "DELETE",
        "/v1/me",
        json={"password": "not-the-password"},
        headers=bearer(tokens["access_token"]),
    )
    assert_error(response, 403, "invalid_current_password")
    assert (await rows_of(app, profile["id"]))["user"] == 1


async def test_delete_account_leaves_no_row_of_the_user(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    profile, tokens = await populate(client, app)
    bystander, bystander_tokens = await signed_in_user(client)
    await complete_report(client, bystander_tokens["access_token"])
    before = await rows_of(app, bystander["id"])

    response = await client.request(
        "DELETE", "/v1/me", json={"password": TEST_PASSWORD}, headers=bearer(tokens["access_token"])
    )
    assert response.status_code == 204
    leftovers = {table: n for table, n in (await rows_of(app, profile["id"])).items() if n}
    assert leftovers == {}
    assert await rows_of(app, bystander["id"]) == before
    me = await client.get("/v1/me", headers=bearer(tokens["access_token"]))
    assert_error(me, 401, "invalid_token")
    relogin = await client.post(
        "/v1/auth/login", json={"email": profile["email"], "password": TEST_PASSWORD}
    )
    assert_error(relogin, 401, "invalid_credentials")


async def registered_with_name(client: httpx.AsyncClient) -> tuple[dict[str, Any], str]:
    """A new user with a display name; returns (profile, access token)."""
    email = unique_email("billing")
    response = await client.post(
        "/v1/auth/register",
        json={
            "email": email,
            "password": TEST_PASSWORD,
            "display_name": f"Named{uuid.uuid4().hex[:8]}",
        },
    )
    assert response.status_code == 201, response.text
    return response.json(), (await login(client, email))["access_token"]


async def test_export_contains_my_billing_events_and_reset_requests(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    profile, token = await registered_with_name(client)
    customer = await seed_customer_events(client, profile["id"], profile["email"])
    other, _ = await registered_with_name(client)
    await seed_customer_events(client, other["id"], other["email"])
    forgot = await client.post("/v1/auth/password/forgot", json={"email": profile["email"]})
    assert forgot.status_code == 202

    response = await client.get("/v1/me/export", headers=bearer(token))
    assert response.status_code == 200
    document = response.json()
    assert document["format_version"] == "3"
    subscription = document["subscription"]
    assert subscription["stripe_price_id"] == PRICE_MONTHLY
    assert subscription["status"] == "past_due" and subscription["grace_period_ends_at"]
    assert subscription["stripe_state_at"]
    events = document["billing_events"]
    assert [e["type"] for e in events] == [
        "checkout.session.completed",
        "customer.subscription.created",
        "invoice.paid",
        "invoice.payment_failed",
        "customer.subscription.updated",
    ]
    assert events[2]["payload"]["data"]["object"]["customer_name"] == customer.name
    assert all(e["created_at"] and e["received_at"] for e in events)
    assert other["email"] not in response.text  # nobody else's events
    (reset,) = document["password_resets"]
    assert reset["created_at"] and reset["expires_at"] and reset["used_at"] is None
    assert reset["requested_ip"]
    async with app.state.database.engine.connect() as connection:
        token_hash = await connection.scalar(select(PasswordResetToken.token_hash))
    assert "token_hash" not in response.text and token_hash not in response.text


async def test_delete_account_leaves_nothing_of_me_in_any_column_of_any_table(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    profile, token = await registered_with_name(client)
    await make_pro(app, profile["id"])
    await complete_report(client, token, free_text=SAMPLE_TEXT)
    customer = await seed_customer_events(client, profile["id"], profile["email"])
    bystander, _ = await registered_with_name(client)
    bystanders_customer = await seed_customer_events(client, bystander["id"], bystander["email"])
    events_before = await stripe_event_rows(app)
    needles = [*customer.needles(), profile["display_name"], customer.foreign_customer_id]
    assert await columns_containing(app, needles)  # the scan does see them while they exist

    response = await client.request(
        "DELETE", "/v1/me", json={"password": TEST_PASSWORD}, headers=bearer(token)
    )
    assert response.status_code == 204
    assert await columns_containing(app, needles) == []
    # The events stay, redacted to what idempotency needs, and count as handled.
    events_after = {row["stripe_event_id"]: row for row in await stripe_event_rows(app)}
    assert set(events_after) == {row["stripe_event_id"] for row in events_before}
    mine = [
        row
        for row in events_before
        if customer.customer_id in row["payload"] or customer.foreign_customer_id in row["payload"]
    ]
    assert len(mine) == 5
    for row in mine:
        after = events_after[row["stripe_event_id"]]
        assert json.loads(after["payload"]) == {
            "id": row["stripe_event_id"],
            "type": row["type"],
            "created": json.loads(row["payload"])["created"],
            "redacted": True,
        }
        assert after["handled_at"] is not None and after["last_error"] is None
    # Nobody else's events are touched.
    theirs = [row for row in events_before if bystanders_customer.customer_id in row["payload"]]
    assert theirs and all(events_after[r["stripe_event_id"]] == r for r in theirs)
    assert await columns_containing(app, bystanders_customer.needles())
