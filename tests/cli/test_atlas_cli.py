from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from insight_atlas.cli.atlas import cli
from insight_atlas.migrate import head_revisions


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ATLAS_ENV", "development")
    monkeypatch.setenv("ATLAS_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    return tmp_path


def test_db_upgrade_current_check_downgrade(env: Path) -> None:
    runner = CliRunner()
    before = runner.invoke(cli, ["db", "check"])
    assert before.exit_code == 1
    assert "atlas db upgrade" in before.output

    upgraded = runner.invoke(cli, ["db", "upgrade"])
    assert upgraded.exit_code == 0, upgraded.output
    assert (env / "atlas.db").exists()

    current = runner.invoke(cli, ["db", "current"])
    assert current.exit_code == 0
    database_line, head_line = current.output.strip().splitlines()
    assert database_line.split()[-1] == head_line.split()[-1]

    assert runner.invoke(cli, ["db", "check"]).exit_code == 0
    assert runner.invoke(cli, ["db", "downgrade", "base"]).exit_code == 0
    assert runner.invoke(cli, ["db", "check"]).exit_code == 1


def test_db_commands_on_a_schema_a_newer_release_migrated(env: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(cli, ["db", "upgrade"]).exit_code == 0
    with sqlite3.connect(env / "atlas.db") as connection:
        connection.execute("UPDATE alembic_version SET version_num = '0099_newer'")
    checked = runner.invoke(cli, ["db", "check"])
    assert checked.exit_code == 1
    # Upgrading cannot help here; the message says what can.
    assert "newer than this release's head" in checked.output
    assert "'atlas db upgrade'" not in checked.output
    assert f"atlas db downgrade {','.join(head_revisions())}" in checked.output
    # A rolled-back release's release command (`atlas db upgrade`) succeeds without
    # touching the schema, so the rollback can go on.
    upgraded = runner.invoke(cli, ["db", "upgrade"])
    assert upgraded.exit_code == 0, upgraded.output
    assert "nothing to apply" in upgraded.output
    current = runner.invoke(cli, ["db", "current"])
    assert "database: 0099_newer" in current.output
    # Stepping back needs the newer release's migration: a clear error, no traceback.
    downgraded = runner.invoke(cli, ["db", "downgrade", "base"])
    assert downgraded.exit_code == 1
    assert "only a newer release ships" in downgraded.output
    assert "Traceback" not in downgraded.output


def test_serve_refuses_unsafe_production_configuration(
    env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ATLAS_ENV", "production")
    result = CliRunner().invoke(cli, ["serve"])
    assert result.exit_code == 2
    assert "SECRET_KEY" in result.output
    assert "DATABASE_URL" in result.output
