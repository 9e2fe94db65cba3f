"""The client address: a header the proxy sets, or X-Forwarded-For as far as trusted proxies
wrote it; never what the client claims (issue 14, item 8)."""

from __future__ import annotations

import contextlib
import tomllib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from fastapi import FastAPI
from pydantic import ValidationError

from conftest import AppMaker
from helpers.api import TEST_PASSWORD, assert_error, bearer, register
from insight_atlas.consent.ledger import CURRENT_CONSENT_VERSION
from insight_atlas.ops.client_address import parse_address
from insight_atlas.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
FLY_PROXY = "172.19.5.10"  # a peer address of Fly's proxy, as the app sees it


@contextlib.asynccontextmanager
async def client_for(app: FastAPI, peer: str) -> AsyncIterator[httpx.AsyncClient]:
    """A client whose requests reach the app from `peer`, the socket's remote address."""
    transport = httpx.ASGITransport(app=app, client=(peer, 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


async def recorded_address(app: FastAPI, peer: str, headers: dict[str, str]) -> str:
    """The address the sign-in session of a request from `peer` with `headers` records."""
    async with client_for(app, peer) as client:
        profile = await register(client)
        signed_in = await client.post(
            "/v1/auth/login",
            json={"email": profile["email"], "password": TEST_PASSWORD},
            headers=headers,
        )
        assert signed_in.status_code == 200, signed_in.text
        token = signed_in.json()["access_token"]
        export = (await client.get("/v1/me/export", headers=bearer(token))).json()
    address: str = export["sessions"][-1]["ip_address"]
    return address


async def test_by_default_the_socket_peer_counts_and_client_headers_do_not(
    make_app: AppMaker,
) -> None:
    app = await make_app()
    spoofed = {"X-Forwarded-For": "198.51.100.1", "Fly-Client-IP": "198.51.100.2"}
    assert await recorded_address(app, "203.0.113.7", spoofed) == "203.0.113.7"


async def test_fly_mode_takes_the_header_fly_sets(make_app: AppMaker) -> None:
    app = await make_app(client_ip_header="Fly-Client-IP")
    # The client sent its own X-Forwarded-For; Fly appended to it and set Fly-Client-IP.
    headers = {
        "Fly-Client-IP": "198.51.100.77",
        "X-Forwarded-For": "6.6.6.6, 198.51.100.77, 66.241.124.1",
    }
    assert await recorded_address(app, FLY_PROXY, headers) == "198.51.100.77"
    # A request that did not come through the proxy names no one: the peer counts.
    assert await recorded_address(app, FLY_PROXY, {"Fly-Client-IP": "not-an-ip"}) == FLY_PROXY


async def test_trusted_proxies_the_right_most_hop_they_did_not_write_counts(
    make_app: AppMaker,
) -> None:
    app = await make_app(forwarded_allow_ips="10.0.0.0/8, 127.0.0.1")
    # 6.6.6.6 is the client's own claim; 198.51.100.23 is what the outer proxy (10.0.0.9)
    # saw; the inner proxy (10.0.0.2) is the peer.
    chain = {"X-Forwarded-For": "6.6.6.6, 198.51.100.23, 10.0.0.9"}
    assert await recorded_address(app, "10.0.0.2", chain) == "198.51.100.23"
    # Split over two headers, it reads the same.
    split = [("X-Forwarded-For", "6.6.6.6"), ("X-Forwarded-For", "198.51.100.23, 10.0.0.9")]
    async with client_for(app, "10.0.0.2") as client:
        profile = await register(client)
        signed_in = await client.post(
            "/v1/auth/login",
            json={"email": profile["email"], "password": TEST_PASSWORD},
            headers=httpx.Headers(split),
        )
        export = await client.get("/v1/me/export", headers=bearer(signed_in.json()["access_token"]))
        assert export.json()["sessions"][-1]["ip_address"] == "198.51.100.23"
    # From a peer that is not a trusted proxy, X-Forwarded-For is the client's own claim.
    assert await recorded_address(app, "203.0.113.7", chain) == "203.0.113.7"
    # Every hop trusted (a request from inside): the farthest one.
    assert await recorded_address(app, "10.0.0.2", {"X-Forwarded-For": "10.1.1.1"}) == "10.1.1.1"


@pytest.mark.parametrize(
    ("overrides", "peer", "trusted"),
    [
        ({"client_ip_header": "Fly-Client-IP"}, FLY_PROXY, {"Fly-Client-IP": "198.51.100.9"}),
        ({"forwarded_allow_ips": "10.0.0.0/8"}, "10.0.0.2", {}),
    ],
)
async def test_a_spoofed_x_forwarded_for_does_not_escape_the_per_address_limit(
    make_app: AppMaker,
    overrides: dict[str, str],
    peer: str,
    trusted: dict[str, str],
) -> None:
    app = await make_app(login_max_attempts_per_ip=3, **overrides)
    async with client_for(app, peer) as client:
        profile = await register(client)
        for number in range(4):
            # A fresh left-most entry each time, as a client rotating its claim would send.
            chain = f"203.0.113.{number + 1}, 198.51.100.9"
            if "Fly-Client-IP" in trusted:
                chain += ", 66.241.124.1"
            response = await client.post(
                "/v1/auth/login",
                json={"email": profile["email"], "password": TEST_PASSWORD},
                headers={**trusted, "X-Forwarded-For": chain},
            )
        assert_error(response, 429, "rate_limited")


async def test_the_consent_ledger_records_the_same_address(make_app: AppMaker) -> None:
    app = await make_app(client_ip_header="Fly-Client-IP")
    headers = {"Fly-Client-IP": "198.51.100.77", "X-Forwarded-For": "6.6.6.6"}
    async with client_for(app, FLY_PROXY) as client:
        profile = await register(client)
        signed_in = await client.post(
            "/v1/auth/login", json={"email": profile["email"], "password": TEST_PASSWORD}
        )
        token = signed_in.json()["access_token"]
        started = await client.post(
            "/v1/assessments",
            json={"instrument": "mini-ipip", "consent_version": CURRENT_CONSENT_VERSION},
            headers={**bearer(token), **headers},
        )
        assert started.status_code == 201, started.text
        export = (await client.get("/v1/me/export", headers=bearer(token))).json()
        assert [c["ip_address"] for c in export["consents"]] == ["198.51.100.77"]


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        ("198.51.100.7", "198.51.100.7"),
        (" 198.51.100.7 ", "198.51.100.7"),
        ("198.51.100.7:4711", "198.51.100.7"),
        ("2001:db8::1", "2001:db8::1"),
        ("[2001:db8::1]:443", "2001:db8::1"),
        ("2001:DB8:0::1", "2001:db8::1"),
        ("unknown", None),
        ("", None),
        ("198.51.100.7, 6.6.6.6", None),
        ("[2001:db8::1", None),
    ],
)
def test_header_entries_are_read_as_addresses_or_not_at_all(
    entry: str, expected: str | None
) -> None:
    assert parse_address(entry) == expected


def build(**values: Any) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@pytest.mark.parametrize("value", ["*", "10.0.0.0/8,*", "proxy.internal", "10.0.0.0/33"])
def test_forwarded_allow_ips_must_name_proxies(value: str) -> None:
    with pytest.raises(ValidationError, match="FORWARDED_ALLOW_IPS"):
        build(forwarded_allow_ips=value)


def test_forwarded_allow_ips_takes_addresses_and_networks() -> None:
    settings = build(forwarded_allow_ips="127.0.0.1, 10.0.0.0/8, fdaa::/16")
    assert [str(n) for n in settings.trusted_proxy_networks] == [
        "127.0.0.1/32",
        "10.0.0.0/8",
        "fdaa::/16",
    ]
    assert build(forwarded_allow_ips="").trusted_proxy_networks == ()


@pytest.mark.parametrize("value", ["Fly Client IP", "X-Real-IP:", "é"])
def test_client_ip_header_must_be_a_header_name(value: str) -> None:
    with pytest.raises(ValidationError, match="CLIENT_IP_HEADER"):
        build(client_ip_header=value)


def test_the_fly_deployments_take_the_address_from_fly_client_ip() -> None:
    for name in ("fly.toml", "fly.staging.toml"):
        environment = tomllib.loads((ROOT / name).read_text())["env"]
        assert environment["CLIENT_IP_HEADER"] == "Fly-Client-IP", name
        assert "*" not in environment.get("FORWARDED_ALLOW_IPS", ""), name
        build(
            client_ip_header=environment["CLIENT_IP_HEADER"],
            forwarded_allow_ips=environment.get("FORWARDED_ALLOW_IPS", "127.0.0.1"),
        )
    compose = yaml.safe_load((ROOT / "docker-compose.prod.yml").read_text())
    assert "*" not in compose["services"]["api"]["environment"].get("FORWARDED_ALLOW_IPS", "")


def test_the_server_leaves_the_client_address_to_the_app(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import uvicorn
    from click.testing import CliRunner

    from insight_atlas.cli.atlas import cli

    monkeypatch.setenv("ATLAS_ENV", "development")
    monkeypatch.setenv("ATLAS_DATA_DIR", str(tmp_path))
    seen: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: seen.update(kwargs))
    result = CliRunner().invoke(cli, ["serve"])
    assert result.exit_code == 0, result.output
    assert seen["proxy_headers"] is False
    assert "forwarded_allow_ips" not in seen
