"""Database engine, declarative base and the per-request session dependency."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import enum
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Annotated, Any, Protocol

import orjson
import structlog
from fastapi import Depends, Request
from sqlalchemy import BigInteger, DateTime, Integer, MetaData, event
from sqlalchemy.dialects.postgresql.asyncpg import dialect as asyncpg_dialect
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.sql.expression import Executable
from sqlalchemy.types import TypeDecorator

from insight_atlas.errors import AppError
from insight_atlas.private_files import prepare_sqlite_file, private_directory
from insight_atlas.settings import Settings

# structlog directly: db imports no domain (ops.logging.get_logger does the same).
_log = structlog.get_logger(logger_name="insight_atlas.db")

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# SQLite only auto-increments a column declared exactly INTEGER PRIMARY KEY.
BigIntegerId = BigInteger().with_variant(Integer(), "sqlite")

# The `__table_args__` of every table with an integer id. Without AUTOINCREMENT, SQLite
# gives a new row the largest id in use plus one, so the next account got the id of the
# newest deleted one, and with it whatever still named that id (a Stripe customer, a
# sandbox link, limiter counters). With it SQLite never goes below the largest id it ever
# handed out; PostgreSQL sequences never go back anyway.
NEVER_REUSE_IDS = {"sqlite_autoincrement": True}


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Timezone-aware UTC timestamps on every backend (SQLite drops the offset)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(dt.UTC)

    def process_result_value(
        self, value: dt.datetime | None, dialect: Dialect
    ) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _json_text(value: Any) -> str:
    return orjson.dumps(value).decode()


def create_engine(settings: Settings) -> AsyncEngine:
    url = settings.database_url
    kwargs: dict[str, Any] = {
        "echo": settings.db_echo,
        "pool_pre_ping": False,
        # JSON columns (a submission's answers and timings) through orjson: decoding
        # them with the standard library was 5% of a submit's API time.
        "json_serializer": _json_text,
        "json_deserializer": orjson.loads,
    }
    kwargs.update(
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        pool_timeout=settings.db_pool_timeout_seconds,
    )
    if url.startswith("sqlite"):
        if ":memory:" not in url:
            private_directory(settings.atlas_data_dir)
            prepare_sqlite_file(url)
        kwargs["connect_args"] = {"timeout": 30}
    else:
        kwargs["pool_recycle"] = 1800
    engine = create_async_engine(url, **kwargs)
    if url.startswith("sqlite"):
        _configure_sqlite(engine)
    return engine


def _configure_sqlite(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        # WAL lets readers proceed while one writer commits.
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        # Deleted rows are overwritten with zeros rather than left in free space, where
        # anyone holding the file could read an erased account back.
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.close()


_WIPE_AFTER_COMMIT = "insight_atlas.wipe_after_commit"


def wipe_after_commit(session: AsyncSession) -> None:
    """Ask that what this request deletes leaves the database files once it commits.

    For erasure (account deletion, data purge, a deleted report). On SQLite, secure_delete
    zeroes the rows in the database pages, but until a checkpoint the WAL still holds the
    earlier versions of those pages, rows included; a TRUNCATE checkpoint after the commit
    copies the zeroed pages back and empties the WAL. PostgreSQL keeps dead tuples until
    VACUUM reclaims them (docs/SECURITY.md); nothing is run there per request.
    """
    session.info[_WIPE_AFTER_COMMIT] = True


async def checkpoint_sqlite_wal(engine: AsyncEngine) -> None:
    """Copy the WAL into the database file and truncate it (SQLite only; else nothing)."""
    if engine.dialect.name != "sqlite":
        return
    async with engine.connect() as connection:
        result = await connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        busy = result.one()[0]  # then the WAL's pages, and how many were moved
    if busy:
        # A reader still holds an older snapshot; the next checkpoint finishes the job.
        _log.warning("wal_checkpoint_incomplete")


async def _wipe_if_asked(session: AsyncSession) -> None:
    if not session.info.pop(_WIPE_AFTER_COMMIT, False):
        return
    bind = session.bind
    if not isinstance(bind, AsyncEngine) or bind.dialect.name != "sqlite":
        return
    try:
        await checkpoint_sqlite_wal(bind)
    except Exception:
        # The deletion is committed; failing the request now would only confuse.
        _log.exception("wal_checkpoint_failed")


class DirectConnection:
    """The asyncpg connection under a session, for the hottest statements.

    SQLAlchemy's async layer costs more CPU per statement than PostgreSQL spends running
    it. A statement run here joins the session's transaction once SQLAlchemy has begun
    one (it begins lazily, at its first statement) and otherwise commits on its own.
    """

    __slots__ = ("_connection", "_driver")

    def __init__(self, connection: AsyncConnection, driver: Any) -> None:
        self._connection, self._driver = connection, driver

    async def fetchrow(self, sql: str, *args: Any) -> Any:
        return await self._run(self._driver.fetchrow, sql, args)

    async def execute(self, sql: str, *args: Any) -> str:
        status: str = await self._run(self._driver.execute, sql, args)
        return status

    async def _run(self, method: Any, sql: str, args: tuple[Any, ...]) -> Any:
        try:
            return await method(sql, *args)
        except (Exception, asyncio.CancelledError):
            await self._discard()
            raise

    async def _discard(self) -> None:
        # SQLAlchemy never sees errors from statements it did not run, so it would put a
        # dead connection (say, after a database restart) back in the pool and hand it
        # to later requests. A probe through SQLAlchemy lets it recognise a lost
        # connection as it does its own, and then drop every pooled connection opened
        # before it (they died together); whatever the probe says, this connection goes.
        with contextlib.suppress(Exception):
            await self._connection.exec_driver_sql("SELECT 1")
        await self._connection.invalidate()


async def asyncpg_connection(session: AsyncSession) -> DirectConnection | None:
    """The session's connection for direct statements on PostgreSQL; None elsewhere.

    Looked up once per session transaction: a request that runs several direct statements
    pays SQLAlchemy's connection bookkeeping once. After a commit or rollback the session
    may hold another connection, so the remembered one is used only within the same
    transaction.
    """
    if session.get_bind().dialect.driver != "asyncpg":
        return None
    remembered = session.info.get(_DIRECT_CONNECTION)
    transaction = session.sync_session.get_transaction()
    if remembered is not None and transaction is not None and remembered[0] is transaction:
        direct: DirectConnection = remembered[1]
        return direct
    connection = await session.connection()
    raw = await connection.get_raw_connection()
    direct = DirectConnection(connection, raw.driver_connection)
    session.info[_DIRECT_CONNECTION] = (session.sync_session.get_transaction(), direct)
    return direct


_DIRECT_CONNECTION = "insight_atlas.direct_connection"


class RowByName(Protocol):
    """A result row read by column label: SQLAlchemy's RowMapping or asyncpg's Record."""

    def __getitem__(self, key: str, /) -> Any: ...


def _plain(value: Any) -> Any:
    return value.value if isinstance(value, enum.Enum) else value


class HotStatement:
    """A SQLAlchemy Core statement, built once, for the busiest paths.

    On PostgreSQL it runs on the session's asyncpg connection (db.asyncpg_connection),
    compiled once at import: SQLAlchemy's async layer costs more CPU per statement than
    PostgreSQL spends running it (docs/PERFORMANCE.md). Elsewhere it runs through the
    session. Either way parameters are bound by name and rows are read by column label,
    so the statement is the only definition of its SQL and nothing depends on the order
    of its columns or parameters. Bound values go to asyncpg as they are (no type
    decorators run): pass what asyncpg accepts (aware datetimes, bytes, str, int, bool).
    """

    __slots__ = ("_fixed", "_names", "_sql", "statement")

    def __init__(self, statement: Executable) -> None:
        self.statement = statement
        compiled = statement.compile(dialect=asyncpg_dialect())  # type: ignore[attr-defined,no-untyped-call]
        self._sql = str(compiled)
        self._names = tuple(compiled.positiontup or ())
        # Values the statement carries itself (`status == 'in_progress'`); the caller
        # gives every named parameter (a missing one is a KeyError, not a NULL).
        self._fixed = {
            name: _plain(bind.effective_value)
            for name, bind in compiled.binds.items()
            if not bind.required
        }

    def _args(self, params: dict[str, Any]) -> list[Any]:
        fixed = self._fixed
        return [fixed[name] if name in fixed else params[name] for name in self._names]

    async def first(self, session: AsyncSession, params: dict[str, Any]) -> RowByName | None:
        """The first row, or None."""
        direct = await asyncpg_connection(session)
        if direct is None:
            row = (await session.execute(self.statement, params)).first()
            return None if row is None else row._mapping
        record: RowByName | None = await direct.fetchrow(self._sql, *self._args(params))
        return record

    async def rowcount(self, session: AsyncSession, params: dict[str, Any]) -> int:
        """Run a write; how many rows it wrote."""
        direct = await asyncpg_connection(session)
        if direct is None:
            result = await session.execute(self.statement, params)
            return int(result.rowcount)  # type: ignore[attr-defined]
        status = await direct.execute(self._sql, *self._args(params))
        return int(status.rsplit(" ", 1)[-1])  # "INSERT 0 1", "UPDATE 1"


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


@dataclass(frozen=True, slots=True)
class Database:
    """The app's database: engine, sessions, and the slots that admit requests to it."""

    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    slots: asyncio.Semaphore
    slot_timeout_seconds: float


def database_slots(settings: Settings, engine: AsyncEngine) -> int:
    """How many requests use the database at once (the others wait their turn).

    SQLite lets one writer in at a time, and its busy handler does not serve waiting
    writers in order: under 32 concurrent submits some waited over 5 s. One request at a
    time, first come first served, keeps every wait short (docs/PERFORMANCE.md).
    """
    if engine.dialect.name == "sqlite":
        return 1
    return settings.db_pool_size + settings.db_max_overflow


def create_database(settings: Settings) -> Database:
    engine = create_engine(settings)
    return Database(
        engine=engine,
        sessionmaker=create_sessionmaker(engine),
        slots=asyncio.Semaphore(database_slots(settings, engine)),
        slot_timeout_seconds=settings.db_pool_timeout_seconds,
    )


async def app_database(request: Request) -> Database:
    database: Database = request.app.state.database
    return database


DatabaseDep = Annotated[Database, Depends(app_database)]


class DatabaseBusy(AppError):
    code = "database_busy"
    status_code = 503
    message = "Every database connection is in use; try again shortly."

    def __init__(self, retry_after_seconds: int) -> None:
        super().__init__(headers={"Retry-After": str(retry_after_seconds)})


class SessionSlot:
    """A request's admission to the database: one of the app's slots (`app.database_slots`),
    taken first come first served, or DatabaseBusy after `wait_seconds`."""

    __slots__ = ("_slots", "_wait_seconds", "held")

    def __init__(self, slots: asyncio.Semaphore, wait_seconds: float) -> None:
        self._slots, self._wait_seconds = slots, wait_seconds
        self.held = False

    async def take(self) -> None:
        if self._slots.locked():
            try:
                await asyncio.wait_for(self._slots.acquire(), self._wait_seconds)
            except TimeoutError:
                raise DatabaseBusy(max(1, round(self._wait_seconds))) from None
        else:
            await self._slots.acquire()  # free now: no timer (wait_for costs a task)
        self.held = True

    def all_taken(self) -> bool:
        return self._slots.locked()

    def give_back(self) -> None:
        if self.held:
            self.held = False
            self._slots.release()


_SLOT = "insight_atlas.session_slot"


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """One session per request: commit when the handler succeeds, roll back otherwise."""
    database: Database = request.app.state.database
    # First come, first served: the pool's own wait is not fair, so under overload some
    # requests would wait seconds while later ones go straight through. The slots number
    # the pool's connections, so the pool itself never makes a request wait.
    slot = SessionSlot(database.slots, database.slot_timeout_seconds)
    await slot.take()
    try:
        async with database.sessionmaker() as session:
            session.info[_SLOT] = slot
            try:
                yield session
            except AppError as exc:
                if exc.keeps_changes:
                    await session.commit()
                else:
                    await session.rollback()
                raise
            except BaseException:
                await session.rollback()
                raise
            else:
                await session.commit()
                await _wipe_if_asked(session)
    finally:
        slot.give_back()


@contextlib.asynccontextmanager
async def database_released(session: AsyncSession, *, always: bool = False) -> AsyncIterator[None]:
    """While the caller waits on something else (a submission on its scoring worker),
    hand the connection and the slot back if every slot is taken, so the next request
    need not wait for that; take a slot again after. While slots are free nothing is
    handed back: that would cost a commit and a second connection checkout (10% of a
    submit's instructions) and help no one.

    `always` hands them back whether or not slots are free, for waits that queue among
    themselves: password hashing waits its turn for PASSWORD_HASH_CONCURRENCY, so a burst
    of sign-ins holding their slots meanwhile would take every slot and keep requests that
    only need the database waiting for seconds. What the session wrote so far is committed.

    If the wait fails, its error propagates without a slot: the request then has nothing
    left to roll back. Taking the slot again may answer DatabaseBusy (503).
    """
    slot: SessionSlot | None = session.info.get(_SLOT)
    if slot is None or not (always or slot.all_taken()):
        yield
        return
    await session.commit()
    slot.give_back()
    yield
    await slot.take()


# scope="function" runs the commit before the response is sent, so a client never
# sees success for a write that failed to commit.
SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]

# The same session as a context manager (`async with request_session(request) as session`),
# for a handler with slow work to do before it needs the database, such as hashing a new
# password: the slot is taken on entering, and the commit happens on leaving.
request_session = contextlib.asynccontextmanager(get_session)
