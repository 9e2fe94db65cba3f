"""Who may read /metrics.

Route names, status counts and pool figures tell an attacker what runs and how busy it
is: a deployed instance serves them only to a scraper holding METRICS_TOKEN, and without
a token configured answers 404 as if there were no such endpoint.
"""

from __future__ import annotations

import hmac

from fastapi import Request

from insight_atlas.errors import NotFound, Unauthorized
from insight_atlas.settings import Settings


class MetricsTokenRequired(Unauthorized):
    code = "unauthorized"
    message = "GET /metrics needs 'Authorization: Bearer <METRICS_TOKEN>'."


def check_metrics_access(request: Request, settings: Settings) -> None:
    """Return if the request may read /metrics; raise 404 or 401 otherwise."""
    expected = settings.metrics_token
    if not expected:
        if settings.is_deployed:
            raise NotFound()
        return  # development and test: open, as on a laptop
    scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
    given = credentials.strip().encode("utf-8", "surrogateescape")
    # Constant time: comparing byte by byte and stopping at the first difference would
    # tell, by the answer's timing, how much of a guess was right.
    if scheme.lower() != "bearer" or not hmac.compare_digest(given, expected.encode()):
        raise MetricsTokenRequired()
