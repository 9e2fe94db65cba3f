"""billing: per-field event times, event outcomes, deleted customers

Revision ID: 0006_billing_event_order
Revises: 0005_never_reuse_ids
Create Date: 2026-12-03

Additive only: two nullable columns and a new table, so the previous release keeps
running on this schema. Existing rows get the values the new code would have written:
a status set at the time of the newest applied event, and an outcome derived from
`handled_at`.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_billing_event_order"
down_revision: str | None = "0005_never_reuse_ids"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Timestamp = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.add_column("subscription", sa.Column("stripe_status_at", Timestamp, nullable=True))
    op.add_column("stripe_event", sa.Column("outcome", sa.String(32), nullable=True))
    op.execute("UPDATE subscription SET stripe_status_at = stripe_state_at")
    op.execute(
        "UPDATE stripe_event SET outcome = CASE WHEN handled_at IS NULL THEN 'failed'"
        " ELSE 'handled' END"
    )
    op.create_table(
        "deleted_stripe_customer",
        sa.Column("customer_id_sha256", sa.String(64), nullable=False),
        sa.Column("deleted_at", Timestamp, nullable=False),
        sa.PrimaryKeyConstraint("customer_id_sha256", name="pk_deleted_stripe_customer"),
    )


def downgrade() -> None:
    op.drop_table("deleted_stripe_customer")
    with op.batch_alter_table("stripe_event") as batch:
        batch.drop_column("outcome")
    with op.batch_alter_table("subscription") as batch:
        batch.drop_column("stripe_status_at")
