"""Statements run on asyncpg directly (db.DirectConnection) and the connection pool."""

from __future__ import annotations

from pathlib import Path

import httpx
import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from helpers.api import CLIENT_IP, bearer, signed_in_user
from helpers.databases import POSTGRES_AVAILABLE, PostgresDatabase, make_settings, psycopg_dsn
from insight_atlas.app import create_app
from insight_atlas.db import asyncpg_connection


@pytest.mark.skipif(not POSTGRES_AVAILABLE, reason="needs PostgreSQL")
async def test_a_connection_that_died_is_discarded_not_handed_out_again(
    postgres_database: PostgresDatabase, tmp_path: Path
) -> None:
    # Two pooled connections, both opened before the database ends them. The sign-in
    # check runs on them directly (not through SQLAlchemy), as a request's first statement.
    settings = make_settings(
        postgres_database.url, tmp_path / "data", db_pool_size=2, db_max_overflow=0
    )
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app, client=(CLIENT_IP, 40000))
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            _, issued = await signed_in_user(client)
            headers = bearer(issued["access_token"])
            assert (await client.get("/v1/me", headers=headers)).status_code == 200
            engine = app.state.database.engine
            async with engine.connect() as first, engine.connect() as second:
                for connection in (first, second):
                    await connection.exec_driver_sql("SELECT 1")
            assert engine.pool.checkedin() == 2

            # The database ends every session of the API, as a restart or failover does.
            database = make_url(postgres_database.url).database
            with psycopg.connect(psycopg_dsn(postgres_database.url), autocommit=True) as admin:
                ended = admin.execute(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                    " WHERE datname = %s AND pid <> pg_backend_pid()",
                    (database,),
                ).fetchone()
            assert ended is not None and ended[0] == 2

            # The request that meets a dead connection fails as an outage (503, retry),
            # not as a bug; the next ones get new connections, not the same one or its
            # dead sibling.
            failed = await client.get("/v1/me", headers=headers)
            assert failed.status_code == 503
            assert failed.json()["error"]["code"] == "database_unavailable"
            for _ in range(3):
                assert (await client.get("/v1/me", headers=headers)).status_code == 200
    finally:
        await app.state.rate_limiter.close()
        await app.state.database.engine.dispose()
        postgres_database.truncate_all()


@pytest.mark.skipif(not POSTGRES_AVAILABLE, reason="needs PostgreSQL")
async def test_the_direct_connection_is_looked_up_once_per_transaction(
    postgres_database: PostgresDatabase, tmp_path: Path
) -> None:
    app = create_app(make_settings(postgres_database.url, tmp_path / "data"))
    try:
        async with app.state.database.sessionmaker() as session:
            first = await asyncpg_connection(session)
            assert first is not None
            assert await asyncpg_connection(session) is first
            assert await first.fetchrow("SELECT 1 AS one") == (1,)
            await session.commit()
            # After the commit the session begins a new transaction, perhaps on another
            # pooled connection: the remembered one must not be handed out.
            await session.execute(text("SELECT 1"))
            second = await asyncpg_connection(session)
            assert second is not None and second is not first
            assert await second.execute("SELECT 1") == "SELECT 1"
    finally:
        await app.state.rate_limiter.close()
        await app.state.database.engine.dispose()
