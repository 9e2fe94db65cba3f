"""Rows for setup that is not under test, written straight to the database.

A test of sharing needs a Pro user, not a checkout; a test of deletion needs an account
with a given id. These go around the API on purpose (each has its own tests through
HTTP) and write only through the ORM models, so they follow the schema.
"""

from __future__ import annotations

from fastapi import FastAPI
from sqlalchemy import insert, update

from helpers.api import TEST_PASSWORD, unique_email
from insight_atlas.accounts.models import User
from insight_atlas.billing.models import Subscription
from insight_atlas.billing.plans import Plan, SubscriptionStatus


async def create_account(
    app: FastAPI,
    *,
    user_id: int | None = None,
    email: str | None = None,
    password: str = TEST_PASSWORD,
    plan: Plan = Plan.FREE,
) -> tuple[int, str]:
    """An account with its subscription row (as registration leaves it, on `plan`);
    returns its id and e-mail address. `user_id` forces the id, as if ids were reused."""
    address = email or unique_email("factory")
    password_hash = await app.state.passwords.hash(password)
    values = {"email": address, "password_hash": password_hash}
    if user_id is not None:
        values["id"] = user_id
    async with app.state.database.engine.begin() as connection:
        created = await connection.execute(insert(User).values(**values).returning(User.id))
        new_id = int(created.scalar_one())
        await connection.execute(
            insert(Subscription).values(user_id=new_id, plan=plan, status=SubscriptionStatus.ACTIVE)
        )
    return new_id, address


async def set_plan(
    app: FastAPI,
    user_id: int,
    plan: Plan,
    status: SubscriptionStatus = SubscriptionStatus.ACTIVE,
) -> None:
    """Move an account to `plan` directly (billing's own tests cover how it happens)."""
    async with app.state.database.engine.begin() as connection:
        await connection.execute(
            update(Subscription)
            .where(Subscription.user_id == user_id)
            .values(plan=plan, status=status)
        )
