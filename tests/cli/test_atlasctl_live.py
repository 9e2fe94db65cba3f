"""atlasctl's everyday commands against a live server (fixtures in conftest.py)."""

from __future__ import annotations

import json
import stat
from collections.abc import Callable
from pathlib import Path

from click.testing import Result

from helpers.flows import SAMPLE_TEXT, answers_for

Atlasctl = Callable[..., Result]
PASSWORD = "a long cli passphrase"


def test_register_login_me_logout_and_token_file_permissions(
    atlasctl: Atlasctl, config_file: Path, live_server: str
) -> None:
    out = atlasctl("register", "cli@example.com", input=f"{PASSWORD}\n{PASSWORD}\n").output
    assert "registered" in out
    assert stat.S_IMODE(config_file.stat().st_mode) == 0o600
    assert json.loads(config_file.read_text())["servers"][live_server]["access_token"]

    assert "plan: free" in atlasctl("me").output
    atlasctl("logout")
    assert PASSWORD not in config_file.read_text()
    assert "access_token" not in config_file.read_text()
    atlasctl("me", code=3)
    atlasctl("login", "cli@example.com", input=f"{PASSWORD}\n")
    assert "cli@example.com" in atlasctl("me").output
    wrong = atlasctl("login", "cli@example.com", input="wrong-password-here\n", code=1)
    assert "invalid_credentials" in wrong.output
    # Scripts give the password on stdin, never on the command line.
    atlasctl("login", "cli@example.com", "--password-stdin", input=f"{PASSWORD}\n")
    assert "cli@example.com" in atlasctl("me").output


def test_take_submit_reports_report_export_purge(atlasctl: Atlasctl, tmp_path: Path) -> None:
    atlasctl("register", "taker@example.com", input=f"{PASSWORD}\n{PASSWORD}\n")
    listing = atlasctl("instruments").output
    assert "mini-ipip" in listing and "pro plan" in listing

    # Consent, five answers, quit; resume and finish; skip free text.
    first = atlasctl("take", "mini-ipip", input="y\n" + "4\n" * 5 + "q\n")
    assert "[5/20]" in first.output and "continue with: atlasctl" in first.output
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
    assert listed[0].split() == ["id", "created", "instrument", "validity", "shared"]
    assert len(listed) == 3
    report_id = listed[1].split()[0]
    shown = atlasctl("report", report_id).output
    assert "Response quality" in shown and "T interval" in shown

    export_file = tmp_path / "export.json"
    atlasctl("export", "-o", str(export_file))
    assert stat.S_IMODE(export_file.stat().st_mode) == 0o600
    exported = json.loads(export_file.read_text())
    assert len(exported["reports"]) == 2
    assert SAMPLE_TEXT in {a["free_text"] for a in exported["assessments"]}

    atlasctl("purge", input="n\n", code=1)
    purged = atlasctl("purge", "--yes").output
    assert "deleted 2 assessments, 2 reports" in purged
    assert "no reports yet" in atlasctl("reports").output


def test_assessments_lists_mine_with_progress_and_pages(
    atlasctl: Atlasctl, account: object, live_server: str
) -> None:
    assert "no assessments yet" in atlasctl("assessments").output
    started = atlasctl("take", "--yes", input="4\n" * 7 + "q\n").output
    waiting = started.strip().split()[-1]
    done = atlasctl("take", "--yes", input="3\n2\n" * 10 + "\n").output
    assert "not a diagnosis" in done

    rows = atlasctl("assessments").output.strip().splitlines()
    assert rows[0].split()[:4] == ["id", "instrument", "status", "answered"]
    # Newest first: the submitted one, then the one waiting at 7 of 20.
    assert "submitted" in rows[1] and "20/20" in rows[1]
    assert rows[2].startswith(waiting) and "in progress" in rows[2] and "7/20" in rows[2]
    # The exact command to run: with --api-url, since that is how this API was reached.
    assert rows[-1] == (
        f"continue one with: atlasctl --api-url {live_server} take --resume {waiting}"
    )

    in_progress = atlasctl("assessments", "--status", "in_progress").output
    assert waiting in in_progress and "submitted" not in in_progress
    first_page = atlasctl("assessments", "--limit", "1").output
    assert "(1–1 of 2)" in first_page
    assert (
        f"next page: atlasctl --api-url {live_server} assessments --offset 1 --limit 1"
        in first_page
    )
    second_page = atlasctl("assessments", "--limit", "1", "--offset", "1").output
    assert waiting in second_page


def test_submit_reports_bad_files_clearly(
    atlasctl: Atlasctl, account: object, tmp_path: Path
) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    result = atlasctl("submit", str(broken), "--yes", code=2)
    assert "not valid JSON" in result.output
    wrong = tmp_path / "wrong.json"
    wrong.write_text(json.dumps({"instrument": "mini-ipip", "answers": {"mini-01": 9}}))
    result = atlasctl("submit", str(wrong), "--yes", code=1)
    assert "mini-01=9" in result.output
    # The assessment exists by then: the error says how to go on with it.
    assert "0 of 20 answers saved" in result.output
    assert "continue with: atlasctl" in result.output


def test_report_ids_that_are_not_ids_get_clear_errors(atlasctl: Atlasctl, account: object) -> None:
    for typed, expected, code in (
        ("", "the report id is empty", 2),
        ("   ", "the report id is empty", 2),
        ("not-an-id", "No such report", 1),
        # One path segment: never the reports list or another endpoint.
        ("../me", "HTTP 404", 1),
    ):
        result = atlasctl("report", typed, code=code)
        assert expected in result.output, (typed, result.output)
        assert result.exception is None or isinstance(result.exception, SystemExit)
    result = atlasctl("take", "--resume", "", code=2)
    assert "the assessment id is empty" in result.output
