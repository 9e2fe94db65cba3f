"""Helpers of the browser tests: the live server, the API for test set-up, axe, screenshots.

The tests drive the real site (web/out served by `atlas serve`) in the Chromium the machine
has (Debian's /usr/bin/chromium): Playwright's own browser download is not used.
"""

from __future__ import annotations

import email
import email.policy
import json
import os
import random
import shutil
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

from helpers.live_server import atlas_serve

REPO_ROOT = Path(__file__).resolve().parents[2]
WEB_OUT = REPO_ROOT / "web" / "out"
AXE_SOURCE = REPO_ROOT / "web" / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = REPO_ROOT / "test-artifacts"
CHROMIUM = Path(os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "a calm and long passphrase"


def missing_prerequisite() -> str | None:
    """Why the browser suite cannot run here, or None."""
    if not (WEB_OUT / "index.html").is_file():
        return (
            f"{WEB_OUT}/index.html is missing: build the site (cd web && npm ci && npm run build)"
        )
    if not CHROMIUM.is_file():
        return f"{CHROMIUM} is missing: install Chromium (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed: make dev-deps installs it"
    return None


def unique_email(prefix: str = "web") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}@example.com"


@dataclass(frozen=True)
class LiveServer:
    url: str
    data_dir: Path
    log_path: Path

    @property
    def outbox(self) -> Path:
        return self.data_dir / "outbox"


@contextmanager
def run_server(root: Path, database_url: str | None = None) -> Iterator[LiveServer]:
    """`atlas db upgrade` then `atlas serve` of the built site on a free loopback port, on
    SQLite in `root` or on the PostgreSQL database `database_url`."""
    environment = {
        **({"DATABASE_URL": database_url} if database_url else {}),
        "WEB_DIST_DIR": str(WEB_OUT),
        "RATE_LIMIT_ENABLED": "false",
        "MAIL_BACKEND": "outbox",
        "LOG_LEVEL": "WARNING",
    }
    with atlas_serve(root, **environment) as url:
        yield LiveServer(url=url, data_dir=root / "data", log_path=root / "server.log")


class Api:
    """The API over HTTP, for setting up what a test is not about (JSON tokens, no cookie)."""

    def __init__(self, base_url: str) -> None:
        self.http = httpx.Client(base_url=base_url, timeout=30)
        self.token: str | None = None

    def close(self) -> None:
        self.http.close()

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    def request(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self.http.request(method, path, headers=self._headers(), **kwargs)
        assert response.status_code < 400, f"{method} {path}: {response.text}"
        return response.json() if response.content else None

    def register_and_login(self, email: str | None = None, password: str = PASSWORD) -> str:
        email = email or unique_email("api")
        self.request("POST", "/v1/auth/register", json={"email": email, "password": password})
        self.login(email, password)
        return email

    def login(self, email: str, password: str = PASSWORD) -> None:
        body = self.request("POST", "/v1/auth/login", json={"email": email, "password": password})
        self.token = body["access_token"]

    def upgrade(self, plan: str = "pro_monthly") -> None:
        """Pays in the sandbox checkout (the form its page posts), as a person would."""
        url = self.request("POST", "/v1/billing/checkout", json={"plan": plan})["url"]
        token = parse_qs(urlsplit(url).query)["token"][0]
        response = self.http.post(
            "/v1/billing/sandbox/checkout", data={"token": token, "action": "pay"}
        )
        assert response.status_code == 303, response.text
        assert self.request("GET", "/v1/me")["plan"] == plan

    def start(self, instrument: str, **extra: Any) -> dict[str, Any]:
        consent = self.request("GET", "/v1/consent")["version"]
        body = {"instrument": instrument, "consent_version": consent, **extra}
        result: dict[str, Any] = self.request("POST", "/v1/assessments", json=body)
        return result

    def answer_all(self, assessment: dict[str, Any], seed: int = 1) -> dict[str, int]:
        rng = random.Random(seed)
        answers = {item: rng.randint(1, 5) for item in assessment["unanswered"]}
        timings = {item: round(rng.uniform(2.5, 7.0), 1) for item in answers}
        self.request(
            "PUT",
            f"/v1/assessments/{assessment['id']}/responses",
            json={"answers": answers, "item_seconds": timings},
        )
        return answers

    def submit(self, assessment_id: str) -> dict[str, Any]:
        result: dict[str, Any] = self.request("POST", f"/v1/assessments/{assessment_id}/submit")
        return result

    def complete(self, instrument: str, seed: int = 1, **extra: Any) -> dict[str, Any]:
        assessment = self.start(instrument, **extra)
        self.answer_all(assessment, seed)
        return self.submit(assessment["id"])


def mail_text(raw: str) -> str:
    """The decoded text of a mail file (the outbox writes RFC 822 messages, quoted-printable)."""
    message = email.message_from_string(raw, policy=email.policy.default)
    parts = message.walk() if message.is_multipart() else [message]
    texts = [part.get_content() for part in parts if part.get_content_type() == "text/plain"]
    return "\n".join(texts) if texts else raw


def newest_mail(outbox: Path, timeout: float = 10.0) -> str:
    """The decoded text of the newest file in the mail outbox (waits for it to appear)."""
    deadline = time.monotonic() + timeout
    while True:
        files = [path for path in outbox.glob("**/*") if path.is_file()] if outbox.exists() else []
        if files:
            newest = max(files, key=lambda path: path.stat().st_mtime_ns)
            return mail_text(newest.read_text(encoding="utf-8", errors="replace"))
        if time.monotonic() > deadline:
            raise AssertionError(f"no mail in {outbox}")
        time.sleep(0.2)


def artifacts_dir() -> Path:
    """test-artifacts/ at the repository root, ignored by git (it carries its own .gitignore)."""
    ARTIFACTS.mkdir(exist_ok=True)
    ignore = ARTIFACTS / ".gitignore"
    if not ignore.exists():
        ignore.write_text("# Screenshots and PDFs of the browser tests, for review.\n*\n")
    return ARTIFACTS


def reset_artifacts() -> None:
    if ARTIFACTS.exists():
        shutil.rmtree(ARTIFACTS)
    artifacts_dir()


def dump_json(name: str, data: Any) -> None:
    (artifacts_dir() / name).write_text(json.dumps(data, indent=2, sort_keys=True))
