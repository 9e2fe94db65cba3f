"""Alembic wiring shared by `atlas db …`, readiness checks and tests."""

from __future__ import annotations

import os
from collections.abc import Collection
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection

from insight_atlas.private_files import prepare_sqlite_file

_DEFAULT_MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "migrations"


def migrations_dir() -> Path:
    return Path(os.environ.get("ATLAS_MIGRATIONS_DIR", _DEFAULT_MIGRATIONS_DIR))


def alembic_config(database_url: str | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    if database_url:
        # '%' must be doubled for ConfigParser interpolation.
        config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def head_revisions() -> tuple[str, ...]:
    return tuple(ScriptDirectory.from_config(alembic_config()).get_heads())


def known_revisions() -> frozenset[str]:
    """Every revision this code ships, heads and their ancestors."""
    script = ScriptDirectory.from_config(alembic_config())
    return frozenset(revision.revision for revision in script.walk_revisions())


def schema_state(current: Collection[str], heads: Collection[str], known: Collection[str]) -> str:
    """Where the database's schema stands for this release.

    "at_head"; "newer" when it is at revisions only a newer release ships (migrations are
    expand/contract, so this release runs on them: a rollback, or the old machines while
    a deploy rolls); "behind" otherwise, an empty database included.
    """
    if set(current) == set(heads):
        return "at_head"
    if current and not set(current) & set(known):
        return "newer"
    return "behind"


def current_revisions(connection: Connection) -> tuple[str, ...]:
    return tuple(MigrationContext.configure(connection).get_current_heads())


def upgrade(database_url: str, revision: str = "head") -> None:
    # The first upgrade creates the SQLite file: 0600 from the start (private_files).
    prepare_sqlite_file(database_url)
    command.upgrade(alembic_config(database_url), revision)


def downgrade(database_url: str, revision: str = "-1") -> None:
    command.downgrade(alembic_config(database_url), revision)


def run_on_connection(connection: Connection, action: str, revision: str) -> None:
    """Run an upgrade/downgrade on a connection the caller already holds (async callers)."""
    config = alembic_config()
    config.attributes["connection"] = connection
    if action == "upgrade":
        command.upgrade(config, revision)
    elif action == "downgrade":
        command.downgrade(config, revision)
    else:
        raise ValueError(f"unknown migration action {action!r}")
