"""Which address a request comes from: per-address limits and the consent ledger use it.

One rule, set by two settings, applied here and nowhere else (`atlas serve` tells uvicorn
not to rewrite the client from proxy headers):

- `CLIENT_IP_HEADER` set (Fly: `Fly-Client-IP`): that header, which the proxy in front
  sets itself. Only for an app reachable through that proxy alone, or clients could send
  the header themselves.
- Otherwise the socket peer; when the peer is one of the proxies in `FORWARDED_ALLOW_IPS`,
  the right-most `X-Forwarded-For` entry that is not one of them. Each proxy appends the
  address it saw, so entries to the left of that one were written by the client and are
  never believed, however they are spelled.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from starlette.requests import Request

from insight_atlas.settings import Settings

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
UNKNOWN = "unknown"


def parse_address(value: str | None) -> str | None:
    """An IP address in its canonical form, from a header entry (`a.b.c.d`, `a.b.c.d:port`,
    `v6`, `[v6]:port`); None when it is not one."""
    if not value:
        return None
    value = value.strip()
    if value.startswith("["):
        value = value[1 : value.find("]")] if "]" in value else ""
    elif value.count(":") == 1:
        value = value.partition(":")[0]
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


class ClientAddressRule:
    __slots__ = ("_header", "_proxies")

    def __init__(self, header: str, trusted_proxies: Iterable[Network]) -> None:
        self._header = header.strip().lower()
        self._proxies = tuple(trusted_proxies)

    @classmethod
    def from_settings(cls, settings: Settings) -> ClientAddressRule:
        return cls(settings.client_ip_header, settings.trusted_proxy_networks)

    def address_of(self, request: Request) -> str:
        peer = request.client.host if request.client else None
        if self._header:
            return parse_address(request.headers.get(self._header)) or peer or UNKNOWN
        if peer is None:
            return UNKNOWN
        address = parse_address(peer) or peer
        if not self._trusted(address):
            return address
        hops = [
            hop for value in request.headers.getlist("x-forwarded-for") for hop in value.split(",")
        ]
        for hop in reversed(hops):
            parsed = parse_address(hop)
            if parsed is None:
                # Not what a proxy writes: stop at the last address a trusted hop gave.
                break
            address = parsed
            if not self._trusted(address):
                break
        return address

    def _trusted(self, address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in network for network in self._proxies)


def client_address(request: Request) -> str:
    """The address the request comes from, by the app's rule (CLIENT_IP_HEADER and proxies)."""
    rule: ClientAddressRule = request.app.state.client_addresses
    return rule.address_of(request)
