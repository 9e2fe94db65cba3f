"""Process-wide collaborators, built once in create_app() and reached through dependencies."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from insight_atlas.accounts.passwords import PasswordService
from insight_atlas.assessments.worker_pool import ReportScorer
from insight_atlas.crypto import FieldCipher
from insight_atlas.mail import Mailer
from insight_atlas.ops.client_address import ClientAddressRule
from insight_atlas.ops.ratelimit import RateLimiter
from insight_atlas.settings import Settings


@dataclass
class Services:
    settings: Settings
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    passwords: PasswordService
    rate_limiter: RateLimiter
    mailer: Mailer
    cipher: FieldCipher
    scorer: ReportScorer
    client_addresses: ClientAddressRule


async def get_services(request: Request) -> Services:
    # async on purpose: FastAPI runs plain `def` dependencies in a worker thread.
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]


def client_address(request: Request) -> str:
    """The address the request comes from (ops/client_address.py)."""
    services: Services = request.app.state.services
    return services.client_addresses.address_of(request)
