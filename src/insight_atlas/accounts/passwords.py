"""Password rules and argon2id hashing, kept off the event loop."""

from __future__ import annotations

import functools
import os
import unicodedata
from importlib import resources
from typing import Annotated

import anyio
from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from fastapi import Depends, Request

from insight_atlas.settings import Settings

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 256


@functools.cache
def common_passwords() -> frozenset[str]:
    text = resources.files("insight_atlas.accounts").joinpath("common_passwords.txt").read_text()
    return frozenset(
        line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")
    )


def password_problem(password: str, email: str | None = None) -> str | None:
    """Why a new password is refused, or None when it is acceptable."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Password must be at least {MIN_PASSWORD_LENGTH} characters long."
    if len(password) > MAX_PASSWORD_LENGTH:
        return f"Password must be at most {MAX_PASSWORD_LENGTH} characters long."
    folded = unicodedata.normalize("NFKC", password).casefold()
    if folded in common_passwords():
        return "This password is too common; choose one that is harder to guess."
    if email and folded == email.casefold():
        return "Password must not be your e-mail address."
    return None


class PasswordService:
    """argon2id hashing in worker threads, at most N at a time.

    argon2 releases the GIL, so threads keep the event loop responsive; the limiter stops a
    login storm from queueing more hashing than the cores can run, which would otherwise
    starve every other request of CPU.
    """

    def __init__(self, settings: Settings) -> None:
        self._hasher = PasswordHasher(
            time_cost=settings.password_hash_time_cost,
            memory_cost=settings.password_hash_memory_kib,
            parallelism=settings.password_hash_parallelism,
            type=Type.ID,
        )
        concurrency = settings.password_hash_concurrency or max(1, (os.cpu_count() or 2) - 1)
        self._limiter = anyio.CapacityLimiter(concurrency)
        self._dummy_hash: str | None = None

    async def hash(self, password: str) -> str:
        return await anyio.to_thread.run_sync(self._hasher.hash, password, limiter=self._limiter)

    async def verify(self, password_hash: str | None, password: str) -> bool:
        """Check a password; with no hash (unknown user) spend the same time and fail."""
        if password_hash is None:
            # A login for an unknown e-mail costs as much as a wrong password, so timing
            # does not reveal which addresses have accounts.
            if self._dummy_hash is None:
                self._dummy_hash = await self.hash("dummy-password-for-timing")
            await anyio.to_thread.run_sync(
                self._verify_quietly, self._dummy_hash, password, limiter=self._limiter
            )
            return False
        return await anyio.to_thread.run_sync(
            self._verify_quietly, password_hash, password, limiter=self._limiter
        )

    def needs_rehash(self, password_hash: str) -> bool:
        return self._hasher.check_needs_rehash(password_hash)

    def _verify_quietly(self, password_hash: str, password: str) -> bool:
        try:
            return self._hasher.verify(password_hash, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False


async def app_passwords(request: Request) -> PasswordService:
    passwords: PasswordService = request.app.state.passwords
    return passwords


PasswordsDep = Annotated[PasswordService, Depends(app_passwords)]
