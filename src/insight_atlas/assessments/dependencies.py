"""The scoring worker pool as a dependency (kept out of worker_pool.py, which the worker
processes import and which should not pull in FastAPI)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from insight_atlas.assessments.worker_pool import ReportScorer


async def app_scorer(request: Request) -> ReportScorer:
    scorer: ReportScorer = request.app.state.scorer
    return scorer


ScorerDep = Annotated[ReportScorer, Depends(app_scorer)]
