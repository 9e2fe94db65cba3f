"""billing: stripe_event table; subscription price, state time and grace period

Revision ID: 0003_billing
Revises: 0002_assessments
Create Date: 2026-11-25

Additive only: new nullable columns and a new table, so the previous release keeps
running on this schema.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_billing"
down_revision: str | None = "0002_assessments"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigIntegerId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Timestamp = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.add_column("subscription", sa.Column("stripe_price_id", sa.String(255), nullable=True))
    op.add_column("subscription", sa.Column("stripe_state_at", Timestamp, nullable=True))
    op.add_column("subscription", sa.Column("grace_period_ends_at", Timestamp, nullable=True))
    op.create_table(
        "stripe_event",
        sa.Column("id", BigIntegerId, primary_key=True, autoincrement=True),
        sa.Column("stripe_event_id", sa.String(255), nullable=False),
        sa.Column("type", sa.String(100), nullable=False),
        sa.Column("livemode", sa.Boolean(), nullable=False, server_default=sa.text("false")),
        sa.Column("stripe_created_at", Timestamp, nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("received_at", Timestamp, nullable=False),
        sa.Column("handled_at", Timestamp, nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default=sa.text("0")),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("last_request_id", sa.String(128), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_stripe_event"),
        sa.UniqueConstraint("stripe_event_id", name="uq_stripe_event_stripe_event_id"),
    )


def downgrade() -> None:
    op.drop_table("stripe_event")
    with op.batch_alter_table("subscription") as batch:
        batch.drop_column("grace_period_ends_at")
        batch.drop_column("stripe_state_at")
        batch.drop_column("stripe_price_id")
