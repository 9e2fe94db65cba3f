"""never reuse ids: SQLite tables with an integer id rebuilt with AUTOINCREMENT

Revision ID: 0005_never_reuse_ids
Revises: 0004_ciphertext_storage
Create Date: 2026-12-03

Without AUTOINCREMENT, SQLite gives a new row the largest id in use plus one: once the
newest account was deleted, the next one got its id, and with it whatever still named
that id (a Stripe customer, sandbox links, limiter counters). With AUTOINCREMENT SQLite
records the largest id it ever handed out (in `sqlite_sequence`) and never goes below it.
PostgreSQL sequences never go back: nothing changes there.

SQLite cannot change a table's key in place, so each table is rebuilt: copied, ids
included, into a new table that is then swapped in; the database is locked for writes
meanwhile. The copy sets each table's sequence to its largest id. An id freed at the top
of a table before this revision can still be handed out once more: nothing recorded it.

Foreign keys must not be enforced during the swap: dropping the old `user` table would
delete every row that references it (ON DELETE CASCADE). `atlas db upgrade` connects
without enforcing them; on a connection that does, this revision refuses to run.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005_never_reuse_ids"
down_revision: str | None = "0004_ciphertext_storage"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = (
    "user",
    "subscription",
    "refresh_token",
    "password_reset_token",
    "consent_record",
    "share_link",
    "stripe_event",
)


def _rebuild(autoincrement: bool) -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    if bind.exec_driver_sql("PRAGMA foreign_keys").scalar():
        raise RuntimeError(
            "0005_never_reuse_ids rebuilds tables and must run with SQLite foreign keys off"
            " (PRAGMA foreign_keys=OFF), or dropping the old tables would cascade; nothing"
            " was changed"
        )
    for table in TABLES:
        with op.batch_alter_table(
            table,
            recreate="always",
            table_kwargs={"sqlite_autoincrement": autoincrement},
            # The rebuilt key is declared inline, which drops its name; a rebuild without
            # AUTOINCREMENT names it again as 0001 did.
            naming_convention={"pk": "pk_%(table_name)s"},
        ):
            pass


def upgrade() -> None:
    _rebuild(autoincrement=True)


def downgrade() -> None:
    _rebuild(autoincrement=False)
