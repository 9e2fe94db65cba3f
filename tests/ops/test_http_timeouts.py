"""Slow clients cannot hold connections: a real `atlas serve` closes a connection whose
request headers or body do not arrive in time, or whose headers are too large.

Each test talks raw HTTP/1.1 over a socket whose own timeout stops the test by itself
should the server keep the connection open.
"""

from __future__ import annotations

import select
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import orjson
import pytest

from helpers.live_server import atlas_serve
from insight_atlas.ops.http_protocol import MAX_HEADER_BYTES

HEADER_TIMEOUT = 1.0
BODY_TIMEOUT = 1.0
# Far below "indefinitely", and roomy enough for a loaded two-core machine.
SLACK = 3.0


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Iterator[str]:
    with atlas_serve(
        tmp_path_factory.mktemp("slow-clients"),
        sqlite_template,
        HTTP_HEADER_TIMEOUT_SECONDS=str(HEADER_TIMEOUT),
        HTTP_BODY_TIMEOUT_SECONDS=str(BODY_TIMEOUT),
    ) as url:
        yield url


def connect(url: str) -> socket.socket:
    parts = urlsplit(url)
    connection = socket.create_connection((parts.hostname, parts.port), timeout=10)
    connection.settimeout(HEADER_TIMEOUT + BODY_TIMEOUT + SLACK + 5)
    return connection


def read_until_closed(connection: socket.socket) -> tuple[bytes, float]:
    """Everything the server sends until it closes the connection, and how long that took;
    the socket's timeout fails the test if the server never closes it."""
    started = time.monotonic()
    received = b""
    try:
        while chunk := connection.recv(65536):
            received += chunk
    except ConnectionResetError:
        pass  # closed, and our late bytes made the peer reset
    return received, time.monotonic() - started


def read_response(connection: socket.socket) -> bytes:
    """One whole response with a Content-Length (its head and body may come apart)."""
    received = b""
    while b"\r\n\r\n" not in received:
        received += connection.recv(65536)
    head, _, body = received.partition(b"\r\n\r\n")
    length = next(
        int(line.split(b":", 1)[1])
        for line in head.lower().split(b"\r\n")
        if line.startswith(b"content-length:")
    )
    while len(body) < length:
        body += connection.recv(65536)
    return head + b"\r\n\r\n" + body


def error_of(response: bytes, status: int) -> dict[str, str]:
    head, _, body = response.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 %d " % status), response
    assert b"connection: close" in head.lower(), response
    error: dict[str, str] = orjson.loads(body)["error"]
    assert error["request_id"] and error["message"]
    return error


def test_a_connection_that_sends_nothing_is_closed(server: str) -> None:
    with connect(server) as connection:
        received, waited = read_until_closed(connection)
    assert received == b""
    assert waited < HEADER_TIMEOUT + SLACK


def test_a_partial_header_line_is_closed_with_408(server: str) -> None:
    with connect(server) as connection:
        connection.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: a")
        received, waited = read_until_closed(connection)
    assert error_of(received, 408)["code"] == "request_timeout"
    assert waited < HEADER_TIMEOUT + SLACK


def test_headers_trickled_byte_by_byte_are_closed_in_time(server: str) -> None:
    # Each byte would reset an idle timer; the deadline holds for the whole header.
    request = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * 100
    with connect(server) as connection:
        started = time.monotonic()
        for byte in request:
            if select.select([connection], [], [], 0.1)[0]:
                break  # the server answered or closed: stop sending
            connection.sendall(bytes([byte]))
        received, _ = read_until_closed(connection)
        waited = time.monotonic() - started
    assert received == b"" or error_of(received, 408)
    assert waited < HEADER_TIMEOUT + SLACK


def test_a_partial_body_is_answered_408_and_closed(server: str) -> None:
    with connect(server) as connection:
        connection.sendall(
            b"POST /v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: application/json\r\nContent-Length: 100\r\n\r\n"
            b'{"email": "slow'
        )
        received, waited = read_until_closed(connection)
    error = error_of(received, 408)
    assert error["code"] == "request_timeout"
    assert "body" in error["message"]
    assert waited < BODY_TIMEOUT + SLACK


def test_after_a_response_a_stalled_next_request_is_closed(server: str) -> None:
    with connect(server) as connection:
        connection.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        first = read_response(connection)
        assert first.startswith(b"HTTP/1.1 200 "), first
        connection.sendall(b"GET /healthz HTTP/1.1\r\nHost: 1")
        received, waited = read_until_closed(connection)
    assert error_of(received, 408)["code"] == "request_timeout"
    assert waited < HEADER_TIMEOUT + SLACK


def test_oversized_headers_are_431_and_closed(server: str) -> None:
    start = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: "
    # One byte over: the server has read everything when it refuses, so it closes
    # cleanly rather than resetting the connection over unread bytes.
    with connect(server) as connection:
        connection.sendall(start + b"a" * (MAX_HEADER_BYTES + 1 - len(start)))
        received, waited = read_until_closed(connection)
    assert error_of(received, 431)["code"] == "headers_too_large"
    assert waited < SLACK
    with connect(server) as connection:
        connection.sendall(start + b"a" * (MAX_HEADER_BYTES - 200) + b"\r\n\r\n")
        assert read_response(connection).startswith(b"HTTP/1.1 200 ")


def test_a_body_sent_in_parts_within_the_bound_is_served(server: str) -> None:
    body = b'{"email": "nobody@example.com", "password": "not-the-password"}'
    with connect(server) as connection:
        connection.sendall(
            b"POST /v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
            b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(body)
        )
        connection.sendall(body[:10])
        time.sleep(BODY_TIMEOUT / 3)
        connection.sendall(body[10:])
        received, _ = read_until_closed(connection)
    assert received.startswith(b"HTTP/1.1 401 "), received
