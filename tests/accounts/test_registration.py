from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text

from helpers.api import TEST_PASSWORD, assert_error, bearer, login, register, unique_email


async def test_register_creates_free_active_user_with_subscription_row(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    email = unique_email()
    profile = await register(client, email)

    assert profile["email"] == email
    assert profile["plan"] == "free"
    assert profile["status"] == "active"
    assert "instrument:mini-ipip" in profile["entitlements"]
    assert "instrument:ipip-neo-120" not in profile["entitlements"]
    # The runbook's SQL, verbatim, must find the user and the subscription.
    async with app.state.database.engine.connect() as connection:
        user = (
            (await connection.execute(text(f"SELECT * FROM \"user\" WHERE email = '{email}'")))
            .mappings()
            .one()
        )
        subscription = (
            (
                await connection.execute(
                    text(f"SELECT * FROM subscription WHERE user_id = {user['id']}")
                )
            )
            .mappings()
            .one()
        )
    assert user["password_hash"].startswith("$argon2id$")
    assert TEST_PASSWORD not in user["password_hash"]
    for column in (
        "user_id",
        "plan",
        "status",
        "stripe_customer_id",
        "stripe_subscription_id",
        "current_period_end",
        "cancel_at_period_end",
        "created_at",
        "updated_at",
    ):
        assert column in subscription
    assert (subscription["plan"], subscription["status"]) == ("free", "active")
    assert subscription["stripe_customer_id"] is None


async def test_email_is_normalised_and_unique_case_insensitively(
    client: httpx.AsyncClient,
) -> None:
    local = unique_email().split("@")[0]
    profile = await register(client, f"  {local.upper()}@Example.COM ".strip())
    assert profile["email"] == f"{local}@example.com"

    again = await client.post(
        "/v1/auth/register", json={"email": f"{local}@EXAMPLE.com", "password": TEST_PASSWORD}
    )
    assert_error(again, 409, "email_taken")
    tokens = await login(client, f"{local.capitalize()}@example.com")
    me = await client.get("/v1/me", headers=bearer(tokens["access_token"]))
    assert me.json()["email"] == f"{local}@example.com"


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("short1!", "at least 10"),
        ("password1234", "too common"),
        ("QWERTYUIOP", "too common"),
    ],
)
async def test_weak_passwords_are_refused_and_nothing_is_written(
    client: httpx.AsyncClient, app: FastAPI, password: str, reason: str
) -> None:
    email = unique_email()
    response = await client.post("/v1/auth/register", json={"email": email, "password": password})
    error = assert_error(response, 422, "weak_password")
    assert reason in error["message"]
    async with app.state.database.engine.connect() as connection:
        count = await connection.scalar(text('SELECT count(*) FROM "user"'))
    assert count == 0


async def test_password_equal_to_email_is_refused(client: httpx.AsyncClient) -> None:
    email = unique_email()
    response = await client.post("/v1/auth/register", json={"email": email, "password": email})
    assert_error(response, 422, "weak_password")


@pytest.mark.parametrize(
    "body",
    [
        {"email": "not-an-address", "password": TEST_PASSWORD},
        {"email": "a@example.com"},
        {"email": 12, "password": TEST_PASSWORD},
        {"email": "a@example.com", "password": TEST_PASSWORD, "is_admin": True},
        {"email": "a@example.com", "password": "x" * 300},
    ],
)
async def test_invalid_registration_bodies_get_422_with_fields(
    client: httpx.AsyncClient, body: dict[str, object]
) -> None:
    response = await client.post("/v1/auth/register", json=body)
    error = assert_error(response, 422, "validation_error")
    assert error["details"]["fields"]


async def test_register_twice_concurrently_creates_one_account(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    import asyncio

    email = unique_email()
    responses = await asyncio.gather(
        *(
            client.post("/v1/auth/register", json={"email": email, "password": TEST_PASSWORD})
            for _ in range(4)
        )
    )
    statuses = sorted(r.status_code for r in responses)
    assert statuses.count(201) == 1
    assert set(statuses) <= {201, 409}
    async with app.state.database.engine.connect() as connection:
        users = await connection.scalar(text('SELECT count(*) FROM "user"'))
        subscriptions = await connection.scalar(text("SELECT count(*) FROM subscription"))
    assert (users, subscriptions) == (1, 1)


@pytest.mark.settings(register_max_per_ip=3)
async def test_registration_is_throttled_per_client_address(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    await register(client)
    # Refused attempts count too: a 409 tells whether an address has an account.
    taken = await register(client)
    again = await client.post(
        "/v1/auth/register", json={"email": taken["email"], "password": TEST_PASSWORD}
    )
    assert_error(again, 409, "email_taken")
    limited = await client.post(
        "/v1/auth/register", json={"email": unique_email(), "password": TEST_PASSWORD}
    )
    error = assert_error(limited, 429, "rate_limited")
    assert int(limited.headers["retry-after"]) > 0
    assert error["details"]["retry_after_seconds"] == int(limited.headers["retry-after"])

    transport = httpx.ASGITransport(app=app, client=("198.51.100.20", 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as other:
        await register(other)  # another address has its own count


async def test_a_burst_of_registrations_gets_only_the_default_number_through(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    import asyncio

    from insight_atlas.settings import Settings

    default = Settings.model_fields["register_max_per_ip"].default
    assert app.state.settings.register_max_per_ip == default == 10
    responses = await asyncio.gather(
        *(
            client.post(
                "/v1/auth/register", json={"email": unique_email(), "password": TEST_PASSWORD}
            )
            for _ in range(default + 5)
        )
    )
    statuses = sorted(response.status_code for response in responses)
    assert statuses == [201] * default + [429] * 5
