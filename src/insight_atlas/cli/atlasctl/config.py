"""The config file: the tokens of each API atlasctl signed in to.

`$ATLASCTL_CONFIG`, else `$XDG_CONFIG_HOME/atlasctl/config.json` (`~/.config/…`), mode
0600. Tokens are kept per API URL, so a token of one server is never sent to another.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any


def config_path() -> Path:
    explicit = os.environ.get("ATLASCTL_CONFIG")
    if explicit:
        return Path(explicit)
    base = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    return base / "atlasctl" / "config.json"


def normalised_url(url: str) -> str:
    return url.strip().rstrip("/")


class Config:
    """The file's content: `{"servers": {api_url: {"email", "access_token", "refresh_token"}}}`."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data

    @classmethod
    def load(cls) -> Config:
        path = config_path()
        if not path.exists():
            return cls({"servers": {}})
        try:
            data = json.loads(path.read_text())
        except (OSError, ValueError):
            # An unreadable file only costs a new sign-in; it must not block every command.
            return cls({"servers": {}})
        if not isinstance(data, dict):
            return cls({"servers": {}})
        return cls(_upgraded(data))

    def save(self) -> None:
        path = config_path()
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        # Created 0600 from the start: tokens are never readable by others, not even briefly.
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            json.dump(self.data, handle, indent=2)
        path.chmod(0o600)  # a file that existed keeps its old mode otherwise

    def server(self, api_url: str) -> dict[str, Any]:
        servers: dict[str, dict[str, Any]] = self.data.setdefault("servers", {})
        return servers.setdefault(normalised_url(api_url), {})

    def signed_in_elsewhere(self, api_url: str) -> list[str]:
        """The other API URLs this file holds a sign-in for (to say where one is)."""
        here = normalised_url(api_url)
        servers: dict[str, dict[str, Any]] = self.data.get("servers", {})
        return sorted(
            url for url, entry in servers.items() if url != here and entry.get("access_token")
        )

    def forget(self, api_url: str) -> None:
        servers: dict[str, dict[str, Any]] = self.data.get("servers", {})
        servers.pop(normalised_url(api_url), None)


def _upgraded(data: dict[str, Any]) -> dict[str, Any]:
    """Files written before tokens were kept per server held one sign-in at the top level."""
    if "servers" in data:
        return data
    servers: dict[str, Any] = {}
    if data.get("access_token") and data.get("api_url"):
        servers[normalised_url(str(data["api_url"]))] = {
            key: data[key] for key in ("email", "access_token", "refresh_token") if key in data
        }
    return {"servers": servers}
