"""Failures a command reports: a readable message, hints, an exit code, and for --json the
API's error envelope (or one shaped like it for failures that never reached the API)."""

from __future__ import annotations

from typing import Any

from insight_atlas.cli.atlasctl.exit_codes import ExitCode


class CommandFailed(Exception):
    """Stops a command: the message and hints go to stderr, the process exits with `exit_code`."""

    def __init__(
        self,
        message: str,
        exit_code: ExitCode = ExitCode.FAILED,
        *,
        code: str = "failed",
        hints: list[str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code
        self.code = code
        self.hints = list(hints or [])

    def envelope(self) -> dict[str, Any]:
        return {"error": {"code": self.code, "message": self.message, "request_id": None}}

    def text(self) -> str:
        return self.message


class ApiError(CommandFailed):
    """An answer of the API in its error envelope `{"error": {code, message, request_id}}`."""

    def __init__(self, status: int, error: dict[str, Any], exit_code: ExitCode) -> None:
        self.status = status
        self.error = error
        self.api_code = str(error.get("code", "error"))
        self.request_id = error.get("request_id")
        super().__init__(
            str(error.get("message") or f"HTTP {status}"),
            exit_code,
            code=self.api_code,
            hints=_hints(error.get("details")),
        )

    def envelope(self) -> dict[str, Any]:
        return {"error": self.error}

    def text(self) -> str:
        where = f"{self.api_code}, HTTP {self.status}"
        if self.request_id:
            where += f", request id {self.request_id}"
        return f"{self.message} ({where})"


def exit_code_for(status: int) -> ExitCode:
    if status == 401:
        return ExitCode.NOT_SIGNED_IN
    if status == 402:
        return ExitCode.UPGRADE_REQUIRED
    return ExitCode.FAILED


def _hints(details: Any) -> list[str]:
    """The envelope's `details` in words: never printed as raw JSON."""
    if not isinstance(details, dict):
        return []
    hints: list[str] = []
    for field in details.get("fields") or []:
        if isinstance(field, dict):
            hints.append(f"{field.get('field', '?')}: {field.get('message', '')}")
    if details.get("retry_after_seconds") is not None:
        hints.append(f"try again in {details['retry_after_seconds']} s")
    if details.get("plan_needed"):
        hints.append("upgrade with: atlasctl upgrade pro_monthly (or pro_yearly)")
    if details.get("current_version"):
        hints.append(f"the current consent version is {details['current_version']}")
    unanswered = details.get("unanswered_item_ids") or []
    if unanswered:
        hints.append(f"unanswered: {_listed(unanswered)}")
    unknown = details.get("unknown_item_ids") or []
    if unknown:
        hints.append(f"unknown item ids: {_listed(unknown)}")
    return hints


def _listed(values: list[Any], shown: int = 10) -> str:
    text = ", ".join(str(value) for value in values[:shown])
    return text + (f" and {len(values) - shown} more" if len(values) > shown else "")
