"""The scoring worker processes: same reports as inline scoring, failures contained."""

from __future__ import annotations

import asyncio
import hashlib
import os
import random
import signal
import time
from collections.abc import AsyncIterator

import pytest
import uvloop
from cryptography.fernet import Fernet

from insight_atlas.assessments.worker_pool import (
    ReportScorer,
    ScoringFailed,
    ScoringUnavailable,
)
from insight_atlas.crypto import FieldCipher
from insight_atlas.engine import load_instrument

TEXT = "I think I am curious about new ideas, and I worry a little before deadlines."


def answers(seed: int) -> dict[str, int]:
    rng = random.Random(seed)
    return {item.id: rng.randint(1, 5) for item in load_instrument("ipip-neo-120").items}


@pytest.fixture
def cipher() -> FieldCipher:
    return FieldCipher([Fernet.generate_key()])


@pytest.fixture
async def worker_scorer(cipher: FieldCipher) -> AsyncIterator[ReportScorer]:
    scorer = ReportScorer(1, cipher)
    await scorer.start()
    try:
        yield scorer
    finally:
        await scorer.close()


async def test_worker_report_is_byte_identical_to_inline(
    worker_scorer: ReportScorer, cipher: FieldCipher
) -> None:
    inline = ReportScorer(0, cipher)
    text = cipher.encrypt_text(TEXT)
    timings = {"pages": [{"item_ids": list(answers(1))[:10], "seconds": 40.0}]}
    args = ("ipip-neo-120", answers(1), {"sex": "female", "age": 30}, timings, text)

    from_worker = await worker_scorer.score(*args)
    from_loop = await inline.score(*args)

    assert from_worker.body == from_loop.body
    assert b"curious" in from_worker.body  # the free text reached the engine
    assert cipher.decrypt_document(from_worker.body_ciphertext) == from_worker.body
    assert from_worker.body_sha256 == hashlib.sha256(from_worker.body).hexdigest()
    assert from_worker.validity == from_loop.validity
    assert from_worker.has_unscored_scales is False


async def test_pipelined_jobs_get_their_own_answers(
    worker_scorer: ReportScorer, cipher: FieldCipher
) -> None:
    inline = ReportScorer(0, cipher)
    seeds = range(24)
    results = await asyncio.gather(
        *(worker_scorer.score("ipip-neo-120", answers(s), None, None, None) for s in seeds)
    )
    for seed, result in zip(seeds, results, strict=True):
        expected = await inline.score("ipip-neo-120", answers(seed), None, None, None)
        assert result.body == expected.body


async def test_engine_refusal_comes_back_as_scoring_failed(worker_scorer: ReportScorer) -> None:
    with pytest.raises(ScoringFailed, match="nope"):
        await worker_scorer.score("ipip-neo-120", {"nope": 3}, None, None, None)
    # The worker is still serving.
    result = await worker_scorer.score("ipip-neo-120", answers(2), None, None, None)
    assert result.body.startswith(b"{")


async def test_an_unexpected_error_fails_one_job_only(worker_scorer: ReportScorer) -> None:
    with pytest.raises(RuntimeError, match="does not decrypt"):
        await worker_scorer.score("ipip-neo-120", answers(4), None, None, b"not a ciphertext")
    [worker] = worker_scorer._workers
    result = await worker_scorer.score("ipip-neo-120", answers(4), None, None, None)
    assert result.body.startswith(b"{")
    assert worker_scorer._workers == [worker]


async def test_a_dead_worker_fails_its_jobs_and_is_replaced(worker_scorer: ReportScorer) -> None:
    [worker] = worker_scorer._workers
    os.kill(worker.process.pid, signal.SIGSTOP)
    pending = asyncio.ensure_future(
        worker_scorer.score("ipip-neo-120", answers(3), None, None, None)
    )
    await asyncio.sleep(0.1)  # the job is sent; the stopped worker cannot answer it
    assert not pending.done()
    os.kill(worker.process.pid, signal.SIGKILL)
    with pytest.raises(ScoringUnavailable):
        await asyncio.wait_for(pending, timeout=30)

    result = await asyncio.wait_for(
        worker_scorer.score("ipip-neo-120", answers(3), None, None, None), timeout=60
    )
    assert result.body.startswith(b"{")
    [replacement] = worker_scorer._workers
    assert replacement.process.pid != worker.process.pid


def test_workers_serve_under_uvloop(cipher: FieldCipher) -> None:
    """`atlas serve` runs on uvloop, whose transports differ from asyncio's."""

    async def main() -> bytes:
        scorer = ReportScorer(1, cipher)
        try:
            result = await scorer.score(
                "ipip-neo-120", answers(5), None, None, cipher.encrypt_text(TEXT)
            )
        finally:
            await scorer.close()
        return result.body

    body = uvloop.run(main())
    assert b"curious" in body


async def test_close_lets_the_worker_exit_on_its_own(cipher: FieldCipher) -> None:
    scorer = ReportScorer(1, cipher)
    await scorer.start()
    [worker] = scorer._workers
    started = time.monotonic()
    await scorer.close()
    # Exit code 0: the worker saw the socket close and returned, it was not killed.
    assert worker.process.exitcode == 0
    assert time.monotonic() - started < 4
