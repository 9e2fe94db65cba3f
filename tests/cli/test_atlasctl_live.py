"""atlasctl against a live server on 127.0.0.1 (uvicorn in a background thread)."""

from __future__ import annotations

import json
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from flows import SAMPLE_TEXT, answers_for
from insight_atlas.cli.atlasctl import cli
from live_server import atlas_serve


@pytest.fixture
def live_server(tmp_path: Path, sqlite_template: Path) -> Iterator[str]:
    """`atlas serve` in its own process, on a free loopback port."""
    with atlas_serve(tmp_path, sqlite_template) as url:
        yield url


@pytest.fixture
def atlasctl(live_server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("ATLASCTL_CONFIG", str(tmp_path / "cfg" / "config.json"))
    runner = CliRunner()

    def run(*args: str, input: str | None = None, ok: bool = True):  # type: ignore[no-untyped-def]
        result = runner.invoke(cli, ["--api-url", live_server, *args], input=input)
        if ok:
            assert result.exit_code == 0, result.output
        return result

    return run


def test_register_login_me_and_token_file_permissions(atlasctl, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    password = "a long cli passphrase"
    out = atlasctl("register", "cli@example.com", input=f"{password}\n{password}\n").output
    assert "registered" in out
    config = tmp_path / "cfg" / "config.json"
    assert stat.S_IMODE(config.stat().st_mode) == 0o600
    assert json.loads(config.read_text())["access_token"]

    assert "plan: free" in atlasctl("me").output
    atlasctl("logout")
    assert atlasctl("me", ok=False).exit_code == 1
    atlasctl("login", "cli@example.com", input=f"{password}\n")
    assert "cli@example.com" in atlasctl("me").output
    wrong = atlasctl("login", "cli@example.com", input="wrong-password-here\n", ok=False)
    assert wrong.exit_code == 1 and "invalid_credentials" in wrong.output


def test_take_submit_reports_report_export_purge(atlasctl, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    password = "a long cli passphrase"
    atlasctl("register", "taker@example.com", input=f"{password}\n{password}\n")
    listing = atlasctl("instruments").output
    assert "mini-ipip" in listing and "pro plan" in listing

    # Consent, five answers, quit; resume and finish; skip free text.
    first = atlasctl("take", "mini-ipip", input="y\n" + "4\n" * 5 + "q\n")
    assert "[5/20]" in first.output and "resume with" in first.output
    assessment_id = first.output.strip().split()[-1]
    finished = atlasctl("take", "--resume", assessment_id, input="2\n3\n" * 8 + "\n")
    assert "[20/20]" in finished.output
    assert "not a diagnosis" in finished.output

    answers_file = tmp_path / "answers.json"
    answers_file.write_text(
        json.dumps(
            {
                "instrument": "mini-ipip",
                "answers": answers_for("mini-ipip"),
                "free_text": SAMPLE_TEXT,
            }
        )
    )
    submitted = atlasctl("submit", str(answers_file), "--yes")
    assert "Extraversion" in submitted.output

    listed = atlasctl("reports").output.strip().splitlines()
    assert len(listed) == 2
    report_id = listed[0].split()[0]
    shown = atlasctl("report", report_id).output
    assert "Response quality" in shown and "T interval" in shown

    export_file = tmp_path / "export.json"
    atlasctl("export", "-o", str(export_file))
    exported = json.loads(export_file.read_text())
    assert len(exported["reports"]) == 2
    assert SAMPLE_TEXT in {a["free_text"] for a in exported["assessments"]}

    purged = atlasctl("purge", "--yes").output
    assert "deleted 2 assessments, 2 reports" in purged
    assert "no reports yet" in atlasctl("reports").output


def test_submit_reports_bad_files_clearly(atlasctl, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    password = "a long cli passphrase"
    atlasctl("register", "bad@example.com", input=f"{password}\n{password}\n")
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    result = atlasctl("submit", str(broken), "--yes", ok=False)
    assert result.exit_code == 1 and "not valid JSON" in result.output
    wrong = tmp_path / "wrong.json"
    wrong.write_text(json.dumps({"instrument": "mini-ipip", "answers": {"mini-01": 9}}))
    result = atlasctl("submit", str(wrong), "--yes", ok=False)
    assert result.exit_code == 1 and "mini-01=9" in result.output


def test_report_ids_that_are_not_ids_get_clear_errors(atlasctl) -> None:  # type: ignore[no-untyped-def]
    password = "a long cli passphrase"
    atlasctl("register", "ids@example.com", input=f"{password}\n{password}\n")
    for typed, expected in (
        ("", "the report id is empty"),
        ("   ", "the report id is empty"),
        ("not-an-id", "No such report"),
        # One path segment: never the reports list or another endpoint.
        ("../me", "HTTP 404"),
    ):
        result = atlasctl("report", typed, ok=False)
        assert result.exit_code == 1, (typed, result.output)
        assert expected in result.output, (typed, result.output)
        assert result.exception is None or isinstance(result.exception, SystemExit)
    result = atlasctl("take", "--resume", "", ok=False)
    assert result.exit_code == 1 and "the assessment id is empty" in result.output
