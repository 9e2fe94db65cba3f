"""The test databases (SQLite files, a PostgreSQL database per run) and test settings."""

from __future__ import annotations

import os
import socket
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import psycopg
from sqlalchemy.engine import make_url

from insight_atlas.models import Base
from insight_atlas.settings import Settings

DEFAULT_POSTGRES_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"


def postgres_admin_url() -> str:
    return os.environ.get("TEST_DATABASE_URL", DEFAULT_POSTGRES_URL)


def _reachable(url: str) -> bool:
    parts = urlsplit(url.replace("postgresql+asyncpg", "postgresql"))
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 5432), 1):
            return True
    except OSError:
        return False


POSTGRES_AVAILABLE = _reachable(postgres_admin_url())
if os.environ.get("TEST_REQUIRE_POSTGRES") == "1" and not POSTGRES_AVAILABLE:
    raise RuntimeError(f"TEST_REQUIRE_POSTGRES=1 but {postgres_admin_url()} is unreachable")
BACKENDS = ["sqlite", "postgresql"] if POSTGRES_AVAILABLE else ["sqlite"]


def display_url(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def psycopg_dsn(async_url: str) -> str:
    url = make_url(async_url).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


@dataclass
class PostgresDatabase:
    url: str

    def truncate_all(self) -> None:
        names = ", ".join(f'"{table.name}"' for table in Base.metadata.sorted_tables)
        with psycopg.connect(psycopg_dsn(self.url), autocommit=True) as connection:
            connection.execute(f"TRUNCATE {names} RESTART IDENTITY CASCADE")


def create_postgres_database(prefix: str = "atlas_test") -> str:
    admin = postgres_admin_url()
    name = f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    with psycopg.connect(psycopg_dsn(admin), autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    return make_url(admin).set(database=name).render_as_string(hide_password=False)


def drop_postgres_database(url: str) -> None:
    name = make_url(url).database
    with psycopg.connect(psycopg_dsn(postgres_admin_url()), autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def make_settings(database_url: str, data_dir: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "atlas_env": "test",
        "database_url": database_url,
        "atlas_data_dir": data_dir,
        "secret_key": "test-secret-key-" + "x" * 32,
        # Cheap argon2id parameters: the tests exercise the logic, not the cost.
        "password_hash_time_cost": 1,
        "password_hash_memory_kib": 8192,
        "redis_url": "",
        "mail_backend": "outbox",
        "log_level": "INFO",
        "stripe_secret_key": "",
        # Inline scoring: a process pool per test app would dominate the suite's time.
        "engine_processes": 0,
        # The API alone: tests of the site pass their own export (tests/ops/test_website.py).
        "web_dist_dir": "off",
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]
