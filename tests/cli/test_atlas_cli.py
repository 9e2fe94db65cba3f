from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from insight_atlas.cli.atlas import cli


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


def test_serve_refuses_unsafe_production_configuration(
    env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ATLAS_ENV", "production")
    result = CliRunner().invoke(cli, ["serve"])
    assert result.exit_code == 2
    assert "SECRET_KEY" in result.output
    assert "DATABASE_URL" in result.output
