"""HTTP calls to the Insight Atlas API with the stored tokens of that API."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import httpx

from insight_atlas.cli.atlasctl.config import Config, normalised_url
from insight_atlas.cli.atlasctl.errors import ApiError, CommandFailed, exit_code_for
from insight_atlas.cli.atlasctl.exit_codes import ExitCode

DEFAULT_API_URL = "http://127.0.0.1:8000"


def path_segment(value: str, what: str) -> str:
    """An id typed by the user, as one URL path segment: never empty, never a path."""
    if not value.strip():
        raise CommandFailed(f"{what} is empty", ExitCode.USAGE, code="usage")
    return quote(value.strip(), safe="")


class Api:
    """One API: its URL, the tokens stored for it; refreshes once on an expired token."""

    def __init__(self, api_url: str, config: Config, *, timeout: float = 30) -> None:
        self.base_url = normalised_url(api_url)
        self.config = config
        self.http = httpx.Client(
            base_url=self.base_url, timeout=timeout, headers={"User-Agent": "atlasctl"}
        )

    @property
    def stored(self) -> dict[str, Any]:
        return self.config.server(self.base_url)

    @property
    def signed_in(self) -> bool:
        return bool(self.stored.get("access_token"))

    def call(self, method: str, path: str, *, auth: bool = True, **kwargs: Any) -> httpx.Response:
        response = self._send(method, path, auth, **kwargs)
        if response.status_code == 401 and auth and self._refresh():
            response = self._send(method, path, auth, **kwargs)
        if response.status_code >= 400:
            raise self._error(method, path, response, auth)
        return response

    def json(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self.call(method, path, **kwargs)
        try:
            return response.json()
        except ValueError:
            raise self._not_the_api(method, path, response) from None

    def store_tokens(self, email: str, tokens: dict[str, Any]) -> None:
        self.stored.update(
            email=email,
            access_token=tokens["access_token"],
            refresh_token=tokens["refresh_token"],
        )
        self.config.save()

    def forget_tokens(self) -> None:
        self.config.forget(self.base_url)
        self.config.save()

    def _send(self, method: str, path: str, auth: bool, **kwargs: Any) -> httpx.Response:
        try:
            return self.http.request(method, path, headers=self._headers(auth), **kwargs)
        except httpx.HTTPError as exc:
            raise CommandFailed(
                f"cannot reach the API at {self.base_url}: {exc or type(exc).__name__}",
                ExitCode.UNREACHABLE,
                code="unreachable",
                hints=_where_is_the_api(),
            ) from None

    def _headers(self, auth: bool) -> dict[str, str]:
        if not auth:
            return {}
        token = self.stored.get("access_token")
        if not token:
            hints = ["sign in with: atlasctl login EMAIL (or atlasctl register EMAIL)"]
            hints += [
                f"signed in at {url}: add --api-url {url}, or set ATLAS_API_URL"
                for url in self.config.signed_in_elsewhere(self.base_url)
            ]
            raise CommandFailed(
                f"not signed in at {self.base_url}",
                ExitCode.NOT_SIGNED_IN,
                code="not_signed_in",
                hints=hints,
            )
        return {"Authorization": f"Bearer {token}"}

    def _refresh(self) -> bool:
        refresh_token = self.stored.get("refresh_token")
        if not refresh_token:
            return False
        response = self._send(
            "POST", "/v1/auth/refresh", False, json={"refresh_token": refresh_token}
        )
        if response.status_code != 200:
            return False
        self.store_tokens(str(self.stored.get("email", "")), response.json())
        return True

    def _error(self, method: str, path: str, response: httpx.Response, auth: bool) -> CommandFailed:
        try:
            error = response.json()["error"]
            if not isinstance(error, dict) or "message" not in error:
                raise KeyError("message")
        except (ValueError, KeyError, TypeError):
            return self._not_the_api(method, path, response)
        error.setdefault("request_id", response.headers.get("x-request-id"))
        # A 401 with a token means the sign-in ended; without one (login) it is a refusal.
        exit_code = exit_code_for(response.status_code) if auth else ExitCode.FAILED
        failure = ApiError(response.status_code, error, exit_code)
        if auth and response.status_code == 401:
            failure.hints.append("sign in again with: atlasctl login EMAIL")
        return failure

    def _not_the_api(self, method: str, path: str, response: httpx.Response) -> CommandFailed:
        kind = response.headers.get("content-type", "no content type").split(";")[0]
        return CommandFailed(
            f"{self.base_url} answered {method} {path} with HTTP {response.status_code} ({kind}),"
            " not the Insight Atlas API's JSON",
            ExitCode.UNREACHABLE,
            code="not_the_api",
            hints=_where_is_the_api(),
        )


def _where_is_the_api() -> list[str]:
    return [
        "is the API running? 'make run' serves it on http://127.0.0.1:8000;"
        " point atlasctl elsewhere with --api-url URL or ATLAS_API_URL=URL"
    ]
