"""Dependencies of the assessment routes: the scoring worker pool (kept out of
worker_pool.py, which the worker processes import and which should not pull in FastAPI),
and the submit route's caller with their assessment."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from insight_atlas.accounts import tokens
from insight_atlas.accounts.dependencies import Principal, PrincipalScheme, authenticate
from insight_atlas.assessments.repository import SUBMITTER, PendingSubmission, submission_of
from insight_atlas.assessments.worker_pool import ReportScorer
from insight_atlas.db import RowByName, SessionDep
from insight_atlas.validation import is_uuid


async def app_scorer(request: Request) -> ReportScorer:
    scorer: ReportScorer = request.app.state.scorer
    return scorer


ScorerDep = Annotated[ReportScorer, Depends(app_scorer)]


class Submitter(Principal):
    """The caller of the submit route, signed in as on every route, with the assessment
    the path names if it is theirs (None otherwise), read in the sign-in check's round
    trip: a submit is the busiest write, and this saves it one of its three round trips."""

    __slots__ = ("submission",)

    def __init__(self, session: AsyncSession, claims: tokens.AccessClaims, row: RowByName) -> None:
        super().__init__(session, claims, row)
        self.submission: PendingSubmission | None = submission_of(row)


class SubmitterScheme(PrincipalScheme[Submitter]):
    """The current principal, with the assessment the path names."""

    async def __call__(  # type: ignore[override]
        self, request: Request, session: SessionDep, assessment_id: str
    ) -> Submitter:
        claims = await self.claims(request)
        # An id that cannot name a stored row matches none (NULL equals nothing).
        params = {"assessment_id": assessment_id if is_uuid(assessment_id) else None}
        return await authenticate(session, claims, self.statement, self.kind, params)


current_submitter = SubmitterScheme(SUBMITTER, Submitter)
CurrentSubmitter = Annotated[Submitter, Depends(current_submitter)]
