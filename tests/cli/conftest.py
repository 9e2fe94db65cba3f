"""A live `atlas serve` per test and atlasctl run against it, as a person or a script would."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from click.testing import CliRunner, Result

from helpers.live_server import atlas_serve
from insight_atlas.cli.atlasctl import cli

PASSWORD = "a long cli passphrase"
ATLASCTL = str(Path(sys.executable).parent / "atlasctl")


@pytest.fixture
def live_server(tmp_path: Path, sqlite_template: Path) -> Iterator[str]:
    """`atlas serve` in its own process, on a free loopback port, billing in sandbox mode."""
    with atlas_serve(tmp_path, sqlite_template) as url:
        yield url


@pytest.fixture
def config_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "cfg" / "config.json"
    monkeypatch.setenv("ATLASCTL_CONFIG", str(path))
    monkeypatch.delenv("ATLAS_API_URL", raising=False)
    return path


Atlasctl = Callable[..., Result]


@pytest.fixture
def atlasctl_script() -> str:
    """The installed console script, for runs that need a real process (signals)."""
    return ATLASCTL


@pytest.fixture
def atlasctl(live_server: str, config_file: Path) -> Atlasctl:
    """Runs atlasctl in process against the live server; `code` is the expected exit code."""
    runner = CliRunner()

    def run(*args: str, input: str | None = None, code: int = 0) -> Result:
        result = runner.invoke(cli, ["--api-url", live_server, *args], input=input)
        assert result.exit_code == code, result.output
        assert "Traceback" not in result.output
        return result

    return run


@dataclass
class Account:
    email: str
    api_url: str
    config_file: Path

    @property
    def access_token(self) -> str:
        servers = json.loads(self.config_file.read_text())["servers"]
        return str(servers[self.api_url]["access_token"])

    def get(self, path: str) -> Any:
        """The API's own answer, to check what atlasctl did."""
        response = httpx.get(
            f"{self.api_url}{path}", headers={"Authorization": f"Bearer {self.access_token}"}
        )
        assert response.status_code == 200, response.text
        return response.json()


@pytest.fixture
def account(atlasctl: Atlasctl, live_server: str, config_file: Path) -> Account:
    """A registered, signed-in user on the Free plan."""
    email = "person@example.com"
    atlasctl("register", email, "--password-stdin", input=f"{PASSWORD}\n")
    return Account(email, live_server, config_file)


def press_in_sandbox(page_url: str, action: str) -> None:
    """What a person does on a sandbox page (checkout or portal): press a button, which
    posts the page's form with the signed token of its link."""
    parts = urlsplit(page_url)
    token = parse_qs(parts.query)["token"][0]
    pressed = httpx.post(
        f"{parts.scheme}://{parts.netloc}{parts.path}", data={"token": token, "action": action}
    )
    assert pressed.status_code == 303, pressed.text


@pytest.fixture
def press() -> Callable[[str, str], None]:
    return press_in_sandbox


@pytest.fixture
def pro_account(atlasctl: Atlasctl, account: Account) -> Account:
    """The signed-in user on Pro Monthly, through `atlasctl upgrade` and the sandbox's Pay."""
    checkout = json.loads(atlasctl("upgrade", "pro_monthly", "--json").stdout)
    press_in_sandbox(checkout["url"], "pay")
    assert account.get("/v1/me")["plan"] == "pro_monthly"
    return account
