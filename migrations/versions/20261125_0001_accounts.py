"""accounts: user, subscription, auth sessions, refresh and password-reset tokens

Revision ID: 0001_accounts
Revises:
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001_accounts"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigIntegerId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Timestamp = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "user",
        sa.Column("id", BigIntegerId, primary_key=True, autoincrement=True),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("display_name", sa.String(100), nullable=True),
        sa.Column("is_active", sa.Boolean(), nullable=False, server_default=sa.text("true")),
        sa.Column("password_changed_at", Timestamp, nullable=False),
        sa.Column("last_login_at", Timestamp, nullable=True),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.Column("updated_at", Timestamp, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_user"),
        sa.UniqueConstraint("email", name="uq_user_email"),
        sa.CheckConstraint("email = lower(email)", name="ck_user_email_lowercase"),
    )
    op.create_table(
        "subscription",
        sa.Column("id", BigIntegerId, primary_key=True, autoincrement=True),
        sa.Column("user_id", BigIntegerId, nullable=False),
        sa.Column("plan", sa.String(32), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("stripe_customer_id", sa.String(255), nullable=True),
        sa.Column("stripe_subscription_id", sa.String(255), nullable=True),
        sa.Column("current_period_end", Timestamp, nullable=True),
        sa.Column(
            "cancel_at_period_end", sa.Boolean(), nullable=False, server_default=sa.text("false")
        ),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.Column("updated_at", Timestamp, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_subscription"),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name="fk_subscription_user_id_user", ondelete="CASCADE"
        ),
        sa.UniqueConstraint("user_id", name="uq_subscription_user_id"),
        sa.UniqueConstraint("stripe_customer_id", name="uq_subscription_stripe_customer_id"),
        sa.UniqueConstraint(
            "stripe_subscription_id", name="uq_subscription_stripe_subscription_id"
        ),
    )
    op.create_table(
        "auth_session",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("user_id", BigIntegerId, nullable=False),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.Column("last_used_at", Timestamp, nullable=False),
        sa.Column("expires_at", Timestamp, nullable=False),
        sa.Column("revoked_at", Timestamp, nullable=True),
        sa.Column("revoked_reason", sa.String(40), nullable=True),
        sa.Column("user_agent", sa.String(300), nullable=True),
        sa.Column("ip_address", sa.String(64), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_auth_session"),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name="fk_auth_session_user_id_user", ondelete="CASCADE"
        ),
    )
    op.create_index("ix_auth_session_user_id", "auth_session", ["user_id"])
    op.create_table(
        "refresh_token",
        sa.Column("id", BigIntegerId, primary_key=True, autoincrement=True),
        sa.Column("session_id", sa.String(36), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.Column("expires_at", Timestamp, nullable=False),
        sa.Column("rotated_at", Timestamp, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_refresh_token"),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["auth_session.id"],
            name="fk_refresh_token_session_id_auth_session",
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint("token_hash", name="uq_refresh_token_token_hash"),
    )
    op.create_index("ix_refresh_token_session_id", "refresh_token", ["session_id"])
    op.create_table(
        "password_reset_token",
        sa.Column("id", BigIntegerId, primary_key=True, autoincrement=True),
        sa.Column("user_id", BigIntegerId, nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.Column("expires_at", Timestamp, nullable=False),
        sa.Column("used_at", Timestamp, nullable=True),
        sa.Column("requested_ip", sa.String(64), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_password_reset_token"),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user.id"],
            name="fk_password_reset_token_user_id_user",
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint("token_hash", name="uq_password_reset_token_token_hash"),
    )
    op.create_index("ix_password_reset_token_user_id", "password_reset_token", ["user_id"])


def downgrade() -> None:
    op.drop_index("ix_password_reset_token_user_id", table_name="password_reset_token")
    op.drop_table("password_reset_token")
    op.drop_index("ix_refresh_token_session_id", table_name="refresh_token")
    op.drop_table("refresh_token")
    op.drop_index("ix_auth_session_user_id", table_name="auth_session")
    op.drop_table("auth_session")
    op.drop_table("subscription")
    op.drop_table("user")
