"""`atlasctl take`: nothing answered is lost, and every way out says how to continue."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from click.testing import Result

from insight_atlas.engine import load_instrument

Atlasctl = Callable[..., Result]
MINI_IPIP_ITEMS = [item.id for item in load_instrument("mini-ipip").items]


def _assessment_id(output: str) -> str:
    match = re.search(r"take --resume (\S+)", output)
    assert match, output
    return match.group(1)


def test_input_ending_mid_page_saves_that_page_and_says_how_to_continue(
    atlasctl: Atlasctl, account: Any, live_server: str
) -> None:
    # 13 answers: the first page of 10 is saved as it completes, the next 3 at the end.
    given = [5, 4, 3, 2, 1, 1, 2, 3, 4, 5, 2, 4, 1]
    result = atlasctl("take", input="y\n" + "".join(f"{value}\n" for value in given), code=6)
    assessment_id = _assessment_id(result.output)
    assert "the input ended before the last question" in result.output
    assert f"assessment {assessment_id}: 13 of 20 answers saved" in result.output
    assert f"continue with: atlasctl --api-url {live_server} take --resume {assessment_id}" in (
        result.output
    )

    saved = account.get(f"/v1/assessments/{assessment_id}")
    assert saved["answers"] == dict(zip(MINI_IPIP_ITEMS, given, strict=False))

    # Resuming asks only the 7 left; an answer that is not 1-5 or q is asked again.
    finished = atlasctl("take", "--resume", assessment_id, input="9\n" + "3\n" * 7 + "\n")
    assert "answer 1 to 5, or q to save and quit" in finished.output
    assert "[13/20]" not in finished.output and "[14/20]" in finished.output
    assert account.get(f"/v1/assessments/{assessment_id}")["status"] == "submitted"


def _wait_for(seen: bytearray, marker: bytes, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while marker not in seen:
        assert time.monotonic() < deadline, seen.decode()
        time.sleep(0.05)


def test_ctrl_c_saves_the_answers_of_the_unfinished_page(
    account: Any, live_server: str, config_file: Path, atlasctl_script: str
) -> None:
    process = subprocess.Popen(
        [atlasctl_script, "--api-url", live_server, "take", "--yes"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env={**os.environ, "ATLASCTL_CONFIG": str(config_file)},
        # A shell that starts a job in the background has it ignore SIGINT, and children
        # inherit that (Python then installs no KeyboardInterrupt handler): a terminal's
        # Ctrl-C reaches a command with the default disposition, so this one gets it too.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    assert process.stdin and process.stdout
    output = bytearray()

    def collect() -> None:
        assert process.stdout
        while chunk := os.read(process.stdout.fileno(), 4096):
            output.extend(chunk)

    reader = threading.Thread(target=collect, daemon=True)
    reader.start()
    process.stdin.write(b"4\n" * 12)
    process.stdin.flush()
    # Waiting at question 13, with answers 11 and 12 not yet sent: Ctrl-C now.
    _wait_for(output, b"[13/20]")
    process.send_signal(signal.SIGINT)
    try:
        code = process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        raise AssertionError(f"atlasctl still running after Ctrl-C:\n{output.decode()}") from None
    assert code == 130, output.decode()
    reader.join(timeout=5)
    text = output.decode()
    assert "Traceback" not in text
    assert "error: interrupted" in text
    assessment_id = _assessment_id(text)
    assert f"assessment {assessment_id}: 12 of 20 answers saved" in text
    saved = account.get(f"/v1/assessments/{assessment_id}")
    assert saved["answers"] == dict.fromkeys(MINI_IPIP_ITEMS[:12], 4)


def test_resume_of_a_submitted_assessment_names_its_report(
    atlasctl: Atlasctl, account: Any, live_server: str
) -> None:
    done = atlasctl("take", "--yes", input="2\n4\n" * 10 + "\n").output
    listed = account.get("/v1/assessments")["items"][0]
    assert listed["status"] == "submitted" and listed["report_id"] in done

    again = atlasctl("take", "--resume", listed["id"])
    assert f"its report is {listed['report_id']}" in again.output
    assert f"atlasctl --api-url {live_server} report {listed['report_id']}" in again.output
    assert "[1/20]" not in again.output
    as_json = atlasctl("take", "--resume", listed["id"], "--json")
    assert json.loads(as_json.stdout)["report_id"] == listed["report_id"]


def test_an_error_after_the_assessment_exists_says_the_answers_are_saved(
    atlasctl: Atlasctl, account: Any
) -> None:
    too_long = "word " * 1100  # 5,500 characters; the API takes 5,000
    result = atlasctl("take", "--yes", input="3\n4\n" * 10 + too_long + "\n", code=1)
    assessment_id = _assessment_id(result.output)
    assert "free_text is 5499 characters; the limit is 5000" in result.output
    assert "(invalid_responses, HTTP 422, request id " in result.output
    assert "the free text was not saved; the answers before it are" in result.output
    assert f"assessment {assessment_id}: 20 of 20 answers saved" in result.output
    assert account.get(f"/v1/assessments/{assessment_id}")["answered"] == 20

    finished = atlasctl("take", "--resume", assessment_id, input="A shorter note.\n")
    assert "not a diagnosis" in finished.output


def _instrument_requests(live_server: str) -> float:
    metrics = httpx.get(f"{live_server}/metrics").text
    pattern = (
        r'atlas_http_requests_total\{method="GET",route="/v1/instruments/\{key\}",'
        r'status="200"\} (\S+)'
    )
    match = re.search(pattern, metrics)
    return float(match.group(1)) if match else 0.0


def test_take_fetches_the_instrument_once(
    atlasctl: Atlasctl, account: Any, live_server: str
) -> None:
    before = _instrument_requests(live_server)
    atlasctl("take", "--yes", input="q\n")
    assert _instrument_requests(live_server) == before + 1
    # With the work-style module: the instrument and the module, once each.
    before = _instrument_requests(live_server)
    with_module = atlasctl("take", "--yes", "--work-style", input="q\n").output
    assert _instrument_requests(live_server) == before + 2
    assert "0 of 38 answers saved" in with_module


def test_a_pro_instrument_on_free_is_refused_before_consent(
    atlasctl: Atlasctl, account: Any
) -> None:
    result = atlasctl("take", "ipip-neo-120", input="y\n", code=5)
    assert "needs the pro plan; yours is free" in result.output
    assert "upgrade with: atlasctl" in result.output
    assert "Do you agree?" not in result.output
    assert account.get("/v1/assessments")["total"] == 0
    unknown = atlasctl("take", "no-such-test", code=1)
    assert "unknown_instrument" in unknown.output and "Do you agree?" not in unknown.output
