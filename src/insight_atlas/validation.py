"""Input rules shared by every request body and path parameter."""

from __future__ import annotations

import uuid
from typing import Any

from pydantic import BaseModel, ConfigDict, model_validator


def _contains_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_contains_nul(k) or _contains_nul(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(_contains_nul(v) for v in value)
    return False


class RequestModel(BaseModel):
    """Request bodies: unknown fields are errors, and NUL characters never reach the database
    (PostgreSQL text cannot store them)."""

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _refuse_nul(cls, data: Any) -> Any:
        if _contains_nul(data):
            raise ValueError("text must not contain NUL characters")
        return data


def is_uuid(value: str) -> bool:
    """Whether an id from a URL can name a stored row (our ids are canonical UUIDs)."""
    if len(value) != 36:
        return False
    try:
        return str(uuid.UUID(value)) == value.lower()
    except ValueError:
        return False
