"""Bearer secrets in URLs (share tokens, sandbox link tokens) never reach logs or metrics."""

from __future__ import annotations

import json
import logging
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from fastapi import FastAPI

from helpers.api import bearer, signed_in_user
from helpers.flows import complete_report, make_pro
from insight_atlas.ops.redaction import REDACTED, redact_secrets


def access_lines(output: str) -> list[dict[str, object]]:
    lines = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    return [line for line in lines if line.get("event") == "request"]


async def test_share_and_sandbox_tokens_stay_out_of_logs_and_metrics(
    client: httpx.AsyncClient, app: FastAPI, capsys: pytest.CaptureFixture[str]
) -> None:
    profile, tokens = await signed_in_user(client)
    headers = bearer(tokens["access_token"])
    checkout = await client.post(
        "/v1/billing/checkout", json={"plan": "pro_monthly"}, headers=headers
    )
    sandbox_url = urlsplit(checkout.json()["url"])
    sandbox_token = parse_qs(sandbox_url.query)["token"][0]
    await make_pro(app, profile["id"])
    document = await complete_report(client, tokens["access_token"])
    share = await client.post(f"/v1/reports/{document['id']}/share", headers=headers)
    share_token = share.json()["token"]
    capsys.readouterr()

    assert (await client.get(f"/v1/shared/{share_token}")).status_code == 200
    await client.get(f"/v1/shared/{share_token}/")  # a stray slash: no route matches
    await client.get(f"/shared/{share_token}")  # the web app's path, sent to the API
    page = await client.get(f"{sandbox_url.path}?{sandbox_url.query}")
    assert page.status_code == 200
    # A library's line quoting a URL, as uvicorn's access log would if it were turned on.
    logging.getLogger("some.library").warning(
        '%s - "%s %s HTTP/%s" %d',
        "203.0.113.7:4000",
        "GET",
        f"/x?reset_token={share_token}",
        "1.1",
        200,
    )
    metrics = (await client.get("/metrics")).text

    logged = capsys.readouterr().out
    for secret in (share_token, sandbox_token):
        assert secret not in logged
        assert secret not in metrics
    paths = [line["path"] for line in access_lines(logged)]
    assert "/v1/shared/[redacted]" in paths
    assert 'route="/v1/shared/{token}"' in metrics
    # The route and the rest of the line are still there to debug with.
    assert f"/v1/shared/{REDACTED}" in logged and "/v1/billing/sandbox/checkout" in logged


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("/v1/shared/abc-DEF_123", "/v1/shared/[redacted]"),
        ("https://app.example/shared/abc?x=1", "https://app.example/shared/[redacted]?x=1"),
        (
            "GET /v1/billing/sandbox/portal?token=a.b&x=1",
            "GET /v1/billing/sandbox/portal?token=[redacted]&x=1",
        ),
        ("/reset-password?x=1&TOKEN=secret#top", "/reset-password?x=1&TOKEN=[redacted]#top"),
        ("/cb?refresh_token=r1", "/cb?refresh_token=[redacted]"),
        ("/v1/reports/1f0e/share", "/v1/reports/1f0e/share"),
    ],
)
def test_redact_secrets_replaces_only_the_secret(text: str, expected: str) -> None:
    assert redact_secrets(text) == expected
