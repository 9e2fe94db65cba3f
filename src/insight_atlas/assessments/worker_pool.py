"""Runs the assessment engine for the API: in worker processes, or inline.

Scoring a full IPIP-NEO-120 with free text is a few milliseconds of pure-Python CPU. In
the event loop that time blocks every other request of the worker; in a small set of
worker processes (`ENGINE_PROCESSES`, default 1) it runs on another core while the loop
keeps serving. `ENGINE_PROCESSES=0` scores inline (tests, single-core machines).

A submission's whole CPU-heavy part happens in the worker: decrypting the free text,
scoring, compressing and encrypting the report, hashing it. The event loop only moves
bytes.

Each worker is connected by a Unix socket pair and served by an asyncio protocol: jobs
are length-prefixed pickles, answered in the order sent. No helper threads sit between
the loop and the workers (`ProcessPoolExecutor` needs two, and they compete with the
loop for the GIL on every call).
"""

from __future__ import annotations

import asyncio
import collections
import hashlib
import multiprocessing
import pickle
import socket
import struct
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, cast

from insight_atlas.crypto import FieldCipher
from insight_atlas.engine import AssessmentError, load_instrument, score
from insight_atlas.engine.text_signals import analyse_text
from insight_atlas.ops.metrics import SCORING_DURATION, labelled

_HEADER = struct.Struct("!I")
# A report is about 35 KB of JSON; anything near this bound is a broken stream.
_MAX_FRAME = 64 * 1024 * 1024
_START_TIMEOUT_SECONDS = 120.0


@dataclass(frozen=True, slots=True)
class ScoredReport:
    body: bytes
    body_ciphertext: bytes
    body_sha256: str
    instrument_version: str
    engine_version: str
    norms_version: str
    validity: str
    has_unscored_scales: bool


class ScoringFailed(Exception):
    """The engine refused the input; the message says why."""


class ScoringUnavailable(RuntimeError):
    """A worker process died while scoring; the next call starts a new one."""


@dataclass(frozen=True, slots=True)
class _Crash:
    """An unexpected error inside the worker: reported, and the worker keeps serving."""

    description: str


# One job: (instrument_key, answers, demographics, timings, free_text_ciphertext).
Job = tuple[
    str, Mapping[str, int], Mapping[str, Any] | None, Mapping[str, Any] | None, bytes | None
]


def score_job(cipher: FieldCipher, job: Job) -> ScoredReport | str:
    """The engine call behind one submission: plain data in, plain data out.

    Engine errors come back as their message (a string), since they do not pickle.
    """
    instrument_key, answers, demographics, timings, free_text_ciphertext = job
    free_text = cipher.decrypt_text(free_text_ciphertext) if free_text_ciphertext else None
    try:
        result = score(
            instrument_key, answers, demographics=demographics, timings=timings, free_text=free_text
        )
    except AssessmentError as exc:
        return str(exc)
    body = result.to_json()
    return ScoredReport(
        body=body,
        body_ciphertext=cipher.encrypt_document(body),
        body_sha256=hashlib.sha256(body).hexdigest(),
        instrument_version=result.main.instrument_version,
        engine_version=result.engine_version,
        norms_version=result.main.norms.version or "none",
        validity=result.validity.overall,
        has_unscored_scales=bool(result.main.unscored)
        or any(addon.unscored for addon in result.addons),
    )


def _warm_up() -> None:
    """Parse instruments and build the sentiment lexicon before the first request."""
    load_instrument("ipip-neo-120")
    analyse_text("Warming up.")


def _read_exactly(connection: socket.socket, size: int) -> bytes | None:
    chunks = bytearray()
    while len(chunks) < size:
        chunk = connection.recv(size - len(chunks))
        if not chunk:
            return None
        chunks += chunk
    return bytes(chunks)


def _send_frame(connection: socket.socket, payload: bytes) -> None:
    connection.sendall(_HEADER.pack(len(payload)) + payload)


def _worker_main(connection: socket.socket, keys: list[bytes]) -> None:
    """A worker's whole life: warm up, say so, then answer jobs until the socket closes."""
    cipher = FieldCipher(keys)
    _warm_up()
    _send_frame(connection, b"ready")
    while True:
        header = _read_exactly(connection, _HEADER.size)
        if header is None:
            return
        payload = _read_exactly(connection, _HEADER.unpack(header)[0])
        if payload is None:
            return
        # The socket pair is private to this process and its parent: trusted pickles.
        outcome: ScoredReport | str | _Crash
        try:
            outcome = score_job(cipher, pickle.loads(payload))  # noqa: S301
        except Exception as exc:  # a bug or bad stored data: one request fails, not all
            outcome = _Crash(f"{type(exc).__name__}: {exc}")
        _send_frame(connection, pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL))


class _WorkerProtocol(asyncio.Protocol):
    """The loop's side of one worker: frames in, futures resolved in send order."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.pending: collections.deque[asyncio.Future[Any]] = collections.deque()
        self.ready: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.closed = False
        self._buffer = bytearray()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports are not subclasses of asyncio.Transport, only alike.
        self.transport = cast(asyncio.Transport, transport)

    def data_received(self, data: bytes) -> None:
        self._buffer += data
        while len(self._buffer) >= _HEADER.size:
            (size,) = _HEADER.unpack_from(self._buffer)
            if size > _MAX_FRAME:
                self._fail(ScoringUnavailable("scoring worker sent a malformed frame"))
                return
            end = _HEADER.size + size
            if len(self._buffer) < end:
                return
            payload = bytes(self._buffer[_HEADER.size : end])
            del self._buffer[:end]
            if not self.ready.done():
                self.ready.set_result(None)
                continue
            if self.pending:
                waiter = self.pending.popleft()
                if not waiter.done():
                    waiter.set_result(payload)

    def connection_lost(self, exc: Exception | None) -> None:
        self._fail(ScoringUnavailable("the scoring worker stopped"))

    def _fail(self, error: Exception) -> None:
        self.closed = True
        if not self.ready.done():
            self.ready.set_exception(error)
        while self.pending:
            waiter = self.pending.popleft()
            if not waiter.done():
                waiter.set_exception(error)
        if self.transport is not None:
            self.transport.close()

    def submit(self, payload: bytes) -> asyncio.Future[Any]:
        assert self.transport is not None
        waiter = asyncio.get_running_loop().create_future()
        self.pending.append(waiter)
        self.transport.write(_HEADER.pack(len(payload)) + payload)
        return waiter


class _Worker:
    def __init__(self, process: Any, protocol: _WorkerProtocol) -> None:
        self.process = process
        self.protocol = protocol

    @classmethod
    async def start(cls, keys: list[bytes]) -> _Worker:
        parent_end, child_end = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        # spawn: a clean child, not a fork of a process with an event loop and threads.
        process = multiprocessing.get_context("spawn").Process(
            target=_worker_main, args=(child_end, keys), name="atlas-scoring", daemon=True
        )
        process.start()
        child_end.close()
        _, protocol = await asyncio.get_running_loop().create_unix_connection(
            _WorkerProtocol, sock=parent_end
        )
        try:
            # A child that cannot even import the engine must not hang start-up forever.
            await asyncio.wait_for(protocol.ready, timeout=_START_TIMEOUT_SECONDS)
        except BaseException:
            cls(process, protocol).kill()
            raise
        return cls(process, protocol)

    @property
    def alive(self) -> bool:
        return not self.protocol.closed

    async def stop(self) -> None:
        """Close the socket; the worker finishes its job and exits on EOF.

        The wait runs off the event loop, which must keep running for the close to
        reach the socket at all.
        """
        if self.protocol.transport is not None:
            self.protocol.transport.close()
        await asyncio.get_running_loop().run_in_executor(None, self.process.join, 5)
        self.kill()

    def kill(self) -> None:
        """For a worker already found broken: killed at once, so reaping it is quick."""
        if self.protocol.transport is not None:
            self.protocol.transport.close()
        if self.process.is_alive():
            self.process.kill()
        self.process.join(timeout=5)


class ReportScorer:
    def __init__(self, processes: int, cipher: FieldCipher) -> None:
        self._processes = processes
        self._cipher = cipher
        self._workers: list[_Worker] = []
        self._starting: asyncio.Lock | None = None

    async def start(self) -> None:
        if self._processes == 0:
            return
        if self._starting is None:
            self._starting = asyncio.Lock()
        async with self._starting:
            live = [worker for worker in self._workers if worker.alive]
            for worker in self._workers:
                if not worker.alive:
                    worker.kill()
            while len(live) < self._processes:
                live.append(await _Worker.start(self._cipher.keys))
            self._workers = live

    async def score(
        self,
        instrument_key: str,
        answers: Mapping[str, int],
        demographics: Mapping[str, Any] | None,
        timings: Mapping[str, Any] | None,
        free_text_ciphertext: bytes | None,
    ) -> ScoredReport:
        job: Job = (instrument_key, dict(answers), demographics, timings, free_text_ciphertext)
        started = time.perf_counter()
        if self._processes == 0:
            outcome = score_job(self._cipher, job)
        else:
            if len(self._workers) < self._processes or not all(w.alive for w in self._workers):
                await self.start()
            worker = min(self._workers, key=lambda w: len(w.protocol.pending))
            payload = pickle.dumps(job, protocol=pickle.HIGHEST_PROTOCOL)
            # Only our own worker writes to this socket pair (see _worker_main).
            outcome = pickle.loads(await worker.protocol.submit(payload))  # noqa: S301
        # Queueing for a busy worker included: it is part of what a submission waits for.
        labelled(SCORING_DURATION, instrument_key).observe(time.perf_counter() - started)
        if isinstance(outcome, str):
            raise ScoringFailed(outcome)
        if isinstance(outcome, _Crash):
            raise RuntimeError(f"scoring failed in the worker: {outcome.description}")
        assert isinstance(outcome, ScoredReport)
        return outcome

    async def close(self) -> None:
        workers, self._workers = self._workers, []
        await asyncio.gather(*(worker.stop() for worker in workers))
