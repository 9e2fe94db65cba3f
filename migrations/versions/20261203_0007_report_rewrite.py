"""reports: the optional plain-language rewrite of a report's narrative

Revision ID: 0007_report_rewrite
Revises: 0006_billing_event_order
Create Date: 2026-12-03

Additive only: a new table, so the previous release keeps running on this schema.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_report_rewrite"
down_revision: str | None = "0006_billing_event_order"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigIntegerId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "report_rewrite",
        sa.Column("report_id", sa.String(length=36), nullable=False),
        sa.Column("user_id", BigIntegerId, nullable=False),
        sa.Column("consent_id", BigIntegerId, nullable=True),
        sa.Column("model", sa.String(length=200), nullable=False),
        sa.Column("endpoint_host", sa.String(length=255), nullable=False),
        sa.Column("prompt_version", sa.String(length=32), nullable=False),
        sa.Column("statements_ciphertext", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["consent_id"],
            ["consent_record.id"],
            name=op.f("fk_report_rewrite_consent_id_consent_record"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["report.id"],
            name=op.f("fk_report_rewrite_report_id_report"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user.id"],
            name=op.f("fk_report_rewrite_user_id_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("report_id", name=op.f("pk_report_rewrite")),
    )
    op.create_index("ix_report_rewrite_user_id", "report_rewrite", ["user_id"])


def downgrade() -> None:
    op.drop_index("ix_report_rewrite_user_id", table_name="report_rewrite")
    op.drop_table("report_rewrite")
