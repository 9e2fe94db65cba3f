"""The assessment click commands, run through CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from insight_atlas.cli.assessment_commands import instruments_command, score_command


def test_instruments_lists_every_instrument() -> None:
    result = CliRunner().invoke(instruments_command, [])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split()[:4] == ["KEY", "VERSION", "ITEMS", "PLAN"]
    rows = {line.split()[0]: line.split() for line in lines[1:]}
    assert rows["ipip-neo-120"][2:4] == ["120", "pro"]
    assert rows["mini-ipip"][2:4] == ["20", "free"]
    assert rows["work-style"][3] == "free"


def test_score_prints_report_json(tmp_path: Path) -> None:
    request = {
        "instrument": "mini-ipip",
        "answers": {f"mini-{i:02d}": 1 + i % 5 for i in range(1, 21)},
        "demographics": {"sex": "female", "age": 44},
        "free_text": "I may try something new.",
    }
    path = tmp_path / "answers.json"
    path.write_text(json.dumps(request))
    result = CliRunner().invoke(score_command, [str(path)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["instrument"]["key"] == "mini-ipip"
    assert data["disclaimer"] == "This report is a self-reflection aid, not a diagnosis."
    assert data["text_signals"]["label"] == "exploratory"


def test_score_rejects_bad_answers(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"instrument": "mini-ipip", "answers": {"mini-01": 9, "x": 1}}))
    result = CliRunner().invoke(score_command, [str(path)])
    assert result.exit_code != 0
    assert "unknown item ids: x" in result.output and "mini-01=9" in result.output


def test_score_rejects_malformed_files(tmp_path: Path) -> None:
    runner = CliRunner()
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    result = runner.invoke(score_command, [str(broken)])
    assert result.exit_code != 0 and "not valid JSON" in result.output
    missing = tmp_path / "missing.json"
    missing.write_text(json.dumps({"answers": {}}))
    result = runner.invoke(score_command, [str(missing)])
    assert result.exit_code != 0 and '"instrument"' in result.output
    unknown = tmp_path / "unknown.json"
    unknown.write_text(json.dumps({"instrument": "nope", "answers": {}}))
    result = runner.invoke(score_command, [str(unknown)])
    assert result.exit_code != 0 and "unknown instrument" in result.output
    result = runner.invoke(score_command, [str(tmp_path / "absent.json")])
    assert result.exit_code != 0
