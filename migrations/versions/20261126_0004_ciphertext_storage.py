"""ciphertext columns stored without PostgreSQL's compression

Revision ID: 0004_ciphertext_storage
Revises: 0003_billing
Create Date: 2026-11-26

Report bodies and free text are stored encrypted (Fernet), and report bodies are
compressed before that: PostgreSQL's own compression (pglz) cannot shrink them, but it
tries on every insert of a value over about 2 KB and then throws its work away. Storage
EXTERNAL keeps large values out of line without that attempt (a report insert spent
about 0.1 ms less CPU in the database, docs/PERFORMANCE.md, seventh round).

Only the column's storage setting changes: no data is rewritten, rows stored before
keep their form and read as before, and the previous release runs on this schema.
PostgreSQL only; SQLite has no such setting. The change is instant but takes each
table's exclusive lock: it waits at most 5 s for running transactions, then fails (and
the release with it) rather than hold up every request queued behind it; run it again.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004_ciphertext_storage"
down_revision: str | None = "0003_billing"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = (("report", "body_ciphertext"), ("assessment", "free_text_ciphertext"))


def _set_storage(storage: str) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("SET LOCAL lock_timeout = '5s'")
    for table, column in COLUMNS:
        op.execute(f'ALTER TABLE "{table}" ALTER COLUMN "{column}" SET STORAGE {storage}')


def upgrade() -> None:
    _set_storage("EXTERNAL")


def downgrade() -> None:
    _set_storage("EXTENDED")
