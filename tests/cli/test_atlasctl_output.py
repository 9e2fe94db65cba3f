"""What scripts rely on: --json documents, exit codes, readable errors, the API URL."""

from __future__ import annotations

import http.server
import json
import re
import socket
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from helpers.flows import answers_for
from insight_atlas.cli.atlasctl import cli
from insight_atlas.cli.atlasctl.exit_codes import MEANINGS, ExitCode

Atlasctl = Callable[..., Result]
PASSWORD = "a long cli passphrase"
README = Path(__file__).resolve().parents[2] / "README.md"


def _document(result: Result) -> Any:
    """stdout of a --json run is exactly one JSON document."""
    return json.loads(result.stdout)


def test_every_command_prints_one_json_document_with_json(
    atlasctl: Atlasctl, tmp_path: Path
) -> None:
    registered = _document(
        atlasctl(
            "register", "json@example.com", "--password-stdin", "--json", input=f"{PASSWORD}\n"
        )
    )
    assert registered["email"] == "json@example.com"
    signed_in = atlasctl(
        "--json", "login", "json@example.com", "--password-stdin", input=f"{PASSWORD}\n"
    )
    assert _document(signed_in)["plan"] == "free"
    assert "token" not in signed_in.stdout  # tokens stay in the config file
    assert _document(atlasctl("me", "--json"))["email"] == "json@example.com"
    assert {item["key"] for item in _document(atlasctl("instruments", "--json"))} >= {"mini-ipip"}

    # take --json: questions and consent on stderr, the report document on stdout.
    taken = atlasctl("take", "--yes", "--json", input="1\n2\n3\n4\n5\n" * 4 + "\n")
    report = _document(taken)
    assert report["report"]["instrument"]["key"] == "mini-ipip"
    assert "[20/20]" in taken.stderr and "Do you agree" not in taken.stdout

    answers_file = tmp_path / "answers.json"
    answers_file.write_text(
        json.dumps({"instrument": "mini-ipip", "answers": answers_for("mini-ipip")})
    )
    submitted = _document(atlasctl("submit", str(answers_file), "--yes", "--json"))
    assert submitted["report"]["scales"]

    assert _document(atlasctl("assessments", "--json"))["total"] == 2
    assert _document(atlasctl("reports", "--json"))["total"] == 2
    assert _document(atlasctl("report", report["id"], "--json"))["id"] == report["id"]
    assert _document(atlasctl("billing", "--json"))["profile"]["plan"] == "free"
    checkout = _document(atlasctl("upgrade", "pro_yearly", "--json"))
    assert "/v1/billing/sandbox/checkout?token=" in checkout["url"]
    exported = _document(atlasctl("export", "--json"))
    assert len(exported["reports"]) == 2
    written = _document(atlasctl("export", "-o", str(tmp_path / "e.json"), "--json"))
    assert written["written_to"] == str(tmp_path / "e.json")
    assert _document(atlasctl("purge", "--yes", "--json"))["reports_deleted"] == 2
    # q: the saved assessment, to resume by its id.
    paused = _document(atlasctl("take", "--yes", "--json", input="4\nq\n"))
    assert paused["status"] == "in_progress" and paused["answers"] == {"mini-01": 4}
    assert _document(atlasctl("logout", "--json"))["status"] == "signed_out"


def test_api_errors_are_readable_with_their_request_id(atlasctl: Atlasctl, account: Any) -> None:
    missing = atlasctl("report", "no-such-report", code=1)
    match = re.fullmatch(
        r"error: No such report\. \(not_found, HTTP 404, request id (\S+)\)\n", missing.stderr
    )
    assert match, missing.stderr
    assert missing.stdout == ""
    # With --json the envelope is the document on stdout; the words still go to stderr.
    as_json = atlasctl("--json", "report", "no-such-report", code=1)
    error = _document(as_json)["error"]
    assert error["code"] == "not_found" and error["message"] == "No such report."
    assert f"request id {error['request_id']})" in as_json.stderr

    # Validation details are listed in words, never as JSON.
    invalid = atlasctl(
        "register", "not-an-address", "--password-stdin", input=f"{PASSWORD}\n", code=1
    )
    assert "(validation_error, HTTP 422, request id " in invalid.stderr
    assert re.search(r"^  email: ", invalid.stderr, re.MULTILINE), invalid.stderr
    assert "{" not in invalid.stderr


def test_exit_codes(
    atlasctl: Atlasctl, live_server: str, config_file: Path, not_the_api: str
) -> None:
    not_signed_in = atlasctl("me", code=ExitCode.NOT_SIGNED_IN)
    assert f"not signed in at {live_server}" in not_signed_in.stderr
    assert "sign in with: atlasctl login EMAIL" in not_signed_in.stderr
    atlasctl("assessments", "--limit", "0", code=ExitCode.USAGE)
    atlasctl("no-such-command", code=ExitCode.USAGE)

    atlasctl("register", "codes@example.com", "--password-stdin", input=f"{PASSWORD}\n")
    atlasctl("take", "ipip-neo-120", code=ExitCode.UPGRADE_REQUIRED)
    atlasctl("take", "--yes", input="3\n", code=ExitCode.INCOMPLETE)
    atlasctl("report", "no-such-report", code=ExitCode.FAILED)

    # A sign-in the server no longer accepts (and cannot refresh) is "not signed in".
    config = json.loads(config_file.read_text())
    config["servers"][live_server].update(access_token="stale", refresh_token="stale")
    config_file.write_text(json.dumps(config))
    expired = atlasctl("me", code=ExitCode.NOT_SIGNED_IN)
    assert "sign in again with: atlasctl login EMAIL" in expired.stderr

    runner = CliRunner()
    unreachable = runner.invoke(
        cli, ["--api-url", f"http://127.0.0.1:{_closed_port()}", "instruments"]
    )
    assert unreachable.exit_code == ExitCode.UNREACHABLE, unreachable.output
    assert "cannot reach the API at http://127.0.0.1:" in unreachable.stderr
    assert "--api-url URL or ATLAS_API_URL=URL" in unreachable.stderr
    elsewhere = runner.invoke(cli, ["--api-url", not_the_api, "instruments"])
    assert elsewhere.exit_code == ExitCode.UNREACHABLE, elsewhere.output
    assert "not the Insight Atlas API's JSON" in elsewhere.stderr
    assert "Traceback" not in unreachable.output + elsewhere.output


def test_help_and_readme_list_the_exit_codes(atlasctl: Atlasctl) -> None:
    shown = atlasctl("--help").output
    readme = README.read_text()
    for code, meaning in MEANINGS.items():
        assert re.search(rf"^\s+{int(code)}  {re.escape(meaning)}$", shown, re.MULTILINE), code
        assert f"| {int(code)} |" in readme, code
    assert "ATLAS_API_URL" in shown


def test_the_api_url_comes_from_the_option_then_atlas_api_url(
    live_server: str, config_file: Path
) -> None:
    runner = CliRunner()
    from_env = runner.invoke(
        cli,
        ["register", "env@example.com", "--password-stdin"],
        input=f"{PASSWORD}\n",
        env={"ATLAS_API_URL": live_server},
    )
    assert from_env.exit_code == 0, from_env.output
    # Hints name the command as typed: the environment still points at this API.
    quit_early = runner.invoke(
        cli, ["take", "--yes"], input="q\n", env={"ATLAS_API_URL": live_server}
    )
    assert quit_early.exit_code == 0, quit_early.output
    assert "continue with: atlasctl take --resume " in quit_early.output

    # Tokens belong to the API they came from; another URL is not signed in, and says where.
    other_url = live_server.replace("127.0.0.1", "localhost")
    elsewhere = runner.invoke(cli, ["--api-url", other_url, "me"])
    assert elsewhere.exit_code == ExitCode.NOT_SIGNED_IN
    assert f"signed in at {live_server}: add --api-url {live_server}" in elsewhere.stderr

    # The default, with neither: the port `make run` serves on.
    default = runner.invoke(cli, ["me"], env={"ATLAS_API_URL": None})
    assert default.exit_code == ExitCode.NOT_SIGNED_IN
    assert "not signed in at http://127.0.0.1:8000" in default.stderr


def test_a_config_file_from_before_tokens_were_kept_per_api_is_read(
    live_server: str, config_file: Path
) -> None:
    runner = CliRunner()
    registered = runner.invoke(
        cli,
        ["--api-url", live_server, "register", "old@example.com", "--password-stdin"],
        input=f"{PASSWORD}\n",
    )
    assert registered.exit_code == 0
    tokens = json.loads(config_file.read_text())["servers"][live_server]
    config_file.write_text(json.dumps({"api_url": live_server, **tokens}))
    me = runner.invoke(cli, ["--api-url", live_server, "me"])
    assert me.exit_code == 0 and "old@example.com" in me.output


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@pytest.fixture
def not_the_api(tmp_path: Path) -> Iterator[str]:
    """A web server that is not Insight Atlas: HTML pages and HTML 404s."""
    handler = type(
        "Quiet",
        (http.server.SimpleHTTPRequestHandler,),
        {"log_message": lambda *args: None},
    )
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), lambda *args: handler(*args, directory=str(tmp_path))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
