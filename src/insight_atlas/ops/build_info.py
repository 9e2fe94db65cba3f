"""Which build is running: the git commit from GIT_SHA, else from the checkout."""

from __future__ import annotations

import functools
import subprocess
from pathlib import Path

from insight_atlas.settings import Settings


def git_sha(settings: Settings) -> str:
    """The deployed commit (GIT_SHA, set by the image build) or the checkout's, or "unknown"."""
    return settings.git_sha or _git_sha_from_checkout()


@functools.cache
def _git_sha_from_checkout() -> str:
    root = Path(__file__).resolve().parents[3]
    if not (root / ".git").exists():
        return "unknown"
    try:
        completed = subprocess.run(  # noqa: S603 - fixed arguments, no shell
            ["git", "-C", str(root), "rev-parse", "--short=12", "HEAD"],  # noqa: S607
            capture_output=True,
            text=True,
            timeout=2,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    return completed.stdout.strip() or "unknown"
