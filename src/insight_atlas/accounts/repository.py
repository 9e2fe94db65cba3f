"""Queries of accounts: the sign-in check every authenticated request runs."""

from __future__ import annotations

from typing import Any, TypeVar, cast

from sqlalchemy import Select, Table, bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import make_transient_to_detached

from insight_atlas.accounts.models import AuthSession, User
from insight_atlas.db import Base, HotStatement, RowByName

_Model = TypeVar("_Model", bound=Base)

_user = cast(Table, User.__table__)
_auth_session = cast(Table, AuthSession.__table__)


def labelled_columns(model: type[Base], prefix: str) -> list[Any]:
    """Every column of the model's table, labelled `<prefix>__<attribute>`, so a row of a
    joined query is read by name whatever the order of its columns."""
    return [
        attr.columns[0].label(f"{prefix}__{attr.key}") for attr in model.__mapper__.column_attrs
    ]


def adopt(session: AsyncSession, model: type[_Model], row: RowByName, prefix: str) -> _Model:
    """The session's object for the row's `<prefix>__*` columns: the one it already holds
    (a handler may have loaded it before), or a new one added as if the session had loaded
    it, so handlers can change or delete it as usual."""
    values = {attr.key: row[f"{prefix}__{attr.key}"] for attr in model.__mapper__.column_attrs}
    key = session.sync_session.identity_key(model, values["id"])
    held = session.sync_session.identity_map.get(key)
    if held is not None:
        return cast(_Model, held)
    loaded = model(**values)
    make_transient_to_detached(loaded)
    session.add(loaded)
    return loaded


def principal_query() -> Select[Any]:
    """One round trip: the user and whether this sign-in is still alive. Parameters
    `user_id` and `session_id`; billing extends it with the subscription."""
    return (
        select(
            *labelled_columns(User, "user"),
            _auth_session.c.revoked_at.label("sign_in__revoked_at"),
            _auth_session.c.expires_at.label("sign_in__expires_at"),
        )
        .select_from(_user)
        .join(_auth_session, _auth_session.c.user_id == _user.c.id)
        .where(
            _user.c.id == bindparam("user_id", type_=_user.c.id.type),
            _auth_session.c.id == bindparam("session_id", type_=_auth_session.c.id.type),
        )
    )


PRINCIPAL = HotStatement(principal_query())
