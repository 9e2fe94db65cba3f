"""Hourly quotas per account: assessments started, submissions, plain-language rewrites.

The limits come from the settings once, when the app is built (`HourlyQuotas.from_settings`),
so a route that spends a quota takes this one collaborator, not the settings and the rate
limiter both. Counted with the rate limiter's atomic `hit` (count first, compare after);
when Redis cannot be reached a quota fails open (ops/ratelimit.py).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Annotated

from fastapi import Depends, Request

from insight_atlas.errors import TooManyRequests
from insight_atlas.ops.ratelimit import RateLimiter
from insight_atlas.settings import Settings

_HOUR = 3600


class Quota(enum.StrEnum):
    """What is counted; the value is the prefix of the limiter's key."""

    ASSESSMENT = "assessment"
    SUBMISSION = "submission"
    NARRATIVE_REWRITE = "narrative_rewrite"


_REFUSALS = {
    Quota.ASSESSMENT: "Too many assessment requests this hour.",
    Quota.SUBMISSION: "Too many submission requests this hour.",
    Quota.NARRATIVE_REWRITE: "Too many plain-language rewrites this hour.",
}


class HourlyQuotas:
    """How many of each a single account may do per hour (none counted when rate limits
    are off: `RATE_LIMIT_ENABLED=false`)."""

    __slots__ = ("_limiter", "_limits")

    def __init__(self, limiter: RateLimiter, limits: Mapping[Quota, int] | None) -> None:
        self._limiter, self._limits = limiter, limits

    @classmethod
    def from_settings(cls, settings: Settings, limiter: RateLimiter) -> HourlyQuotas:
        if not settings.rate_limit_enabled:
            return cls(limiter, None)
        return cls(
            limiter,
            {
                Quota.ASSESSMENT: settings.assessments_per_hour,
                Quota.SUBMISSION: settings.submissions_per_hour,
                Quota.NARRATIVE_REWRITE: settings.narrative_rewrites_per_hour,
            },
        )

    async def spend(self, quota: Quota, account: str) -> None:
        """Count one against the account's quota; 429 once the hour's quota is used up.

        `account` names the account, not its id alone (accounts.dependencies.account_key),
        so counters never pass to a later account. Refused attempts count too."""
        if self._limits is None:
            return
        window = await self._limiter.hit(f"{quota.value}:{account}", _HOUR)
        if window.count > self._limits[quota]:
            raise TooManyRequests(window.retry_after_seconds, _REFUSALS[quota])


async def app_quotas(request: Request) -> HourlyQuotas:
    quotas: HourlyQuotas = request.app.state.quotas
    return quotas


QuotasDep = Annotated[HourlyQuotas, Depends(app_quotas)]
