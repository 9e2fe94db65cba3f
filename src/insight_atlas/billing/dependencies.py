"""The caller with their subscription, read in the sign-in check's own round trip."""

from __future__ import annotations

from typing import Annotated, cast

from fastapi import Depends
from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncSession

from insight_atlas.accounts import tokens
from insight_atlas.accounts.dependencies import Principal, PrincipalScheme
from insight_atlas.accounts.models import User
from insight_atlas.accounts.repository import adopt, labelled_columns, principal_query
from insight_atlas.billing.models import Subscription
from insight_atlas.db import HotStatement, RowByName

_subscription = cast(Table, Subscription.__table__)

# accounts' sign-in check, extended with the caller's subscription row.
SUBSCRIBER = HotStatement(
    principal_query()
    .add_columns(*labelled_columns(Subscription, "subscription"))
    .join(_subscription, _subscription.c.user_id == cast(Table, User.__table__).c.id)
)


class Subscriber(Principal):
    """A principal whose plan matters to the route (entitlements, the account view)."""

    __slots__ = ("_subscription",)

    def __init__(self, session: AsyncSession, claims: tokens.AccessClaims, row: RowByName) -> None:
        super().__init__(session, claims, row)
        self._subscription: Subscription | None = None

    @property
    def subscription(self) -> Subscription:
        if self._subscription is None:
            self._subscription = adopt(self._session, Subscription, self._row, "subscription")
        return self._subscription


current_subscriber = PrincipalScheme(SUBSCRIBER, Subscriber)
CurrentSubscriber = Annotated[Subscriber, Depends(current_subscriber)]
