"""Runs the assessment engine for the API: in worker processes, or inline.

Scoring a full IPIP-NEO-120 with free text is a few milliseconds of pure-Python CPU. In
the event loop that time blocks every other request of the worker; in a small process
pool (`ENGINE_PROCESSES`, default 1) it runs on another core while the loop keeps
serving. `ENGINE_PROCESSES=0` scores inline (tests, single-core machines).
"""

from __future__ import annotations

import asyncio
import multiprocessing
from collections.abc import Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

from insight_atlas.assessment import AssessmentError, load_instrument, score
from insight_atlas.assessment.text_signals import analyse_text


@dataclass(frozen=True, slots=True)
class ScoredReport:
    body: bytes
    instrument_version: str
    engine_version: str
    norms_version: str
    validity: str
    has_unscored_scales: bool


class ScoringFailed(Exception):
    """The engine refused the input; the message says why."""


def score_report(
    instrument_key: str,
    answers: Mapping[str, int],
    demographics: Mapping[str, Any] | None,
    timings: Mapping[str, Any] | None,
    free_text: str | None,
) -> ScoredReport | str:
    """Engine call that crosses process boundaries: plain data in, plain data out.

    Engine errors come back as their message (a string), since they do not pickle.
    """
    try:
        result = score(
            instrument_key, answers, demographics=demographics, timings=timings, free_text=free_text
        )
    except AssessmentError as exc:
        return str(exc)
    return ScoredReport(
        body=result.to_json(),
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


class ReportScorer:
    def __init__(self, processes: int) -> None:
        self._processes = processes
        self._pool: ProcessPoolExecutor | None = None

    async def start(self) -> None:
        if self._processes > 0 and self._pool is None:
            # spawn: a clean child, not a fork of a process with an event loop and threads.
            self._pool = ProcessPoolExecutor(
                max_workers=self._processes,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_warm_up,
            )
            await asyncio.get_running_loop().run_in_executor(self._pool, _warm_up)

    async def score(
        self,
        instrument_key: str,
        answers: Mapping[str, int],
        demographics: Mapping[str, Any] | None,
        timings: Mapping[str, Any] | None,
        free_text: str | None,
    ) -> ScoredReport:
        if self._processes > 0:
            await self.start()
            assert self._pool is not None
            outcome = await asyncio.get_running_loop().run_in_executor(
                self._pool,
                score_report,
                instrument_key,
                dict(answers),
                demographics,
                timings,
                free_text,
            )
        else:
            outcome = score_report(instrument_key, answers, demographics, timings, free_text)
        if isinstance(outcome, str):
            raise ScoringFailed(outcome)
        return outcome

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
