"""`atlasctl delete-account`: a hidden password, a confirmation, or --password-stdin --yes."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from click.testing import Result

Atlasctl = Callable[..., Result]
PASSWORD = "a long cli passphrase"


def test_delete_account_asks_confirms_and_forgets_the_tokens(
    atlasctl: Atlasctl, account: Any, live_server: str
) -> None:
    declined = atlasctl("delete-account", input="n\n", code=1)
    assert "cancelled: nothing was deleted" in declined.output
    wrong = atlasctl("delete-account", input="y\nnot-the-password\n", code=1)
    assert "(invalid_current_password, HTTP 403, request id " in wrong.output
    assert "plan: free" in atlasctl("me").output

    deleted = atlasctl("delete-account", input=f"y\n{PASSWORD}\n")
    assert "Delete person@example.com and everything stored with it" in deleted.output
    assert "Password: " in deleted.output
    assert PASSWORD not in deleted.output  # typed without echo
    assert "account person@example.com deleted" in deleted.output
    servers = json.loads(account.config_file.read_text())["servers"]
    assert live_server not in servers
    gone = atlasctl("login", account.email, "--password-stdin", input=f"{PASSWORD}\n", code=1)
    assert "invalid_credentials" in gone.output


def test_delete_account_for_scripts(atlasctl: Atlasctl, account: Any) -> None:
    # stdin holds the password, so it cannot also answer the confirmation.
    refused = atlasctl("delete-account", "--password-stdin", input=f"{PASSWORD}\n", code=2)
    assert "--password-stdin needs --yes" in refused.output
    empty = atlasctl("delete-account", "--password-stdin", "--yes", input="", code=2)
    assert "stdin held no password" in empty.output

    deleted = atlasctl(
        "delete-account", "--password-stdin", "--yes", "--json", input=f"{PASSWORD}\n"
    )
    assert json.loads(deleted.stdout) == {"status": "account_deleted", "email": account.email}
    atlasctl("me", code=3)
