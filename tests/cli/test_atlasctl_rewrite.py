"""`atlasctl report ID --rewrite` against a live server and a fake model on 127.0.0.1."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

from helpers.flows import answers_for
from helpers.live_server import atlas_serve
from helpers.llm_fakes import FakeModel, fake_model_server

Atlasctl = Callable[..., Result]


@pytest.fixture
def fake_model() -> Iterator[FakeModel]:
    with fake_model_server() as fake:
        yield fake


@pytest.fixture
def live_server(tmp_path: Path, sqlite_template: Path, fake_model: FakeModel) -> Iterator[str]:
    with atlas_serve(
        tmp_path,
        sqlite_template,
        NARRATIVE_LLM_BASE_URL=fake_model.api_url,
        NARRATIVE_LLM_MODEL="fake-plain-1",
    ) as url:
        yield url


def _submit(atlasctl: Atlasctl, tmp_path: Path) -> dict[str, Any]:
    file = tmp_path / "answers.json"
    file.write_text(json.dumps({"instrument": "mini-ipip", "answers": answers_for("mini-ipip")}))
    document: dict[str, Any] = json.loads(atlasctl("submit", str(file), "--yes", "--json").stdout)
    return document


def test_rewrite_asks_first_naming_the_host(
    atlasctl: Atlasctl, account: Any, tmp_path: Path, fake_model: FakeModel
) -> None:
    report = _submit(atlasctl, tmp_path)
    host = fake_model.base_url.removeprefix("http://")

    declined = atlasctl("report", report["id"], "--rewrite", input="n\n", code=1)
    assert host in declined.stderr
    assert "nothing was sent" in declined.stderr
    assert fake_model.requests == []

    shown = atlasctl("report", report["id"], "--rewrite", input="y\n")
    assert "rewritten by a language model" in shown.stdout
    first = report["report"]["narrative"]["statements"][0]["text"]
    assert "Put simply:" in shown.stdout and first.split()[0] in shown.stdout
    assert f"fake-plain-1 at {host}" in shown.stdout
    assert len(fake_model.requests) == 1

    # Stored: shown again without asking or sending anything.
    again = atlasctl("report", report["id"], "--rewrite", "--json")
    assert json.loads(again.stdout)["label"] == "Rewritten by a language model"
    assert len(fake_model.requests) == 1


def test_a_refused_rewrite_says_why(
    atlasctl: Atlasctl, account: Any, tmp_path: Path, fake_model: FakeModel
) -> None:
    report = _submit(atlasctl, tmp_path)
    fake_model.mode = "diagnostic"
    result = atlasctl("report", report["id"], "--rewrite", "--yes", "--json", code=1)
    error = json.loads(result.stdout)["error"]
    assert error["code"] == "rewrite_rejected"
    assert "language guard" in error["message"]
