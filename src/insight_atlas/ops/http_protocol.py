"""The HTTP/1.1 protocol `atlas serve` runs: uvicorn's httptools protocol, with the read of
request headers bounded in time and size.

uvicorn bounds only the idle time between requests on a kept-alive connection
(`timeout_keep_alive`, armed after a response and cancelled by any byte received). A
client that opens a connection and sends part of a request line or header and then
nothing (a slow loris), or trickles bytes, held the connection and its memory for ever,
and httptools buffers headers of any size. Here the headers of every request must arrive
in full within HTTP_HEADER_TIMEOUT_SECONDS of the connection opening or of the first
byte after the previous response, and within MAX_HEADER_BYTES; else the connection is
closed (with a 408 or 431 when part of a request came). The body is bounded inside the
app (ops.middleware.RequestBodyLimitMiddleware), where a 408 can still be answered.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import orjson
from uvicorn.config import Config
from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol
from uvicorn.server import ServerState

from insight_atlas.ops.logging import get_logger
from insight_atlas.settings import get_settings

# h11, uvicorn's other parser, allows 16 KiB; browsers send a few KiB at most.
MAX_HEADER_BYTES = 64 * 1024

_log = get_logger("insight_atlas.http")


class BoundedHeadersProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with a deadline and a size limit for request headers."""

    def __init__(
        self,
        config: Config,
        server_state: ServerState,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        super().__init__(config, server_state, app_state, _loop)
        self.header_timeout = get_settings().http_header_timeout_seconds
        # When the headers being read began to arrive; None while none are being read.
        self.headers_started: float | None = None
        self.header_bytes = 0
        # One timer at a time, kept across requests: a kept-alive connection serves many
        # requests per timeout, and a timer per request would cost more than its parsing.
        self.header_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._start_header_clock()

    def connection_lost(self, exc: Exception | None) -> None:
        self.headers_started = None
        if self.header_timer is not None:
            self.header_timer.cancel()
            self.header_timer = None
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self.headers_started is None and (self.cycle is None or self.cycle.response_complete):
            # The next request (or stray bytes after a response) is arriving: its headers
            # must be complete in time, whatever keeps the keep-alive timer at bay.
            self._start_header_clock()
        if self.headers_started is not None:
            self.header_bytes += len(data)
        # The base class by name, here and below: these run for every request, and
        # super() costs more than what they add.
        HttpToolsProtocol.data_received(self, data)
        # Still reading headers after this chunk (on_headers_complete stops the clock),
        # unless the parser refused the request and closed the connection itself.
        if (
            self.headers_started is not None
            and self.header_bytes > MAX_HEADER_BYTES
            and not self.transport.is_closing()
        ):
            self.headers_started = None
            self._refuse(431, "headers_too_large", "The request headers are too large.")

    def on_headers_complete(self) -> None:
        self.headers_started = None
        HttpToolsProtocol.on_headers_complete(self)

    def _between_requests(self) -> bool:
        return self.cycle is None or self.cycle.response_complete

    def _start_header_clock(self) -> None:
        self.headers_started = self.loop.time()
        self.header_bytes = 0
        if self.header_timer is None:
            self.header_timer = self.loop.call_at(
                self.headers_started + self.header_timeout, self._check_headers
            )

    def _check_headers(self) -> None:
        self.header_timer = None
        if self.headers_started is None or self.transport.is_closing():
            return  # the headers came; the next request starts the clock again
        deadline = self.headers_started + self.header_timeout
        if self.loop.time() < deadline:
            # A later request's headers, begun after this timer was set.
            self.header_timer = self.loop.call_at(deadline, self._check_headers)
            return
        if not self._between_requests():
            # A pipelined request's response is still being written: closing now would cut
            # it off. Look again once more time has passed.
            self._start_header_clock()
            return
        if self.header_bytes == 0:
            self.transport.close()  # an idle connection: nothing to answer
            return
        self._refuse(
            408,
            "request_timeout",
            f"The request headers did not arrive within {self.header_timeout:g} seconds.",
        )

    def _refuse(self, status: int, code: str, message: str) -> None:
        """Answer before any request exists (so outside the app) and close."""
        request_id = uuid.uuid4().hex
        _log.warning(code, client=self.client and self.client[0], request_id=request_id)
        body = orjson.dumps({"error": {"code": code, "message": message, "request_id": request_id}})
        head = (
            b"content-type: application/json\r\n"
            b"content-length: %d\r\n"
            b"x-request-id: %s\r\n"
            b"connection: close\r\n\r\n"
        ) % (len(body), request_id.encode("ascii"))
        self.transport.write(STATUS_LINE[status] + head + body)
        self.transport.close()
