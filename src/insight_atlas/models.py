"""Every table, imported in one place so Alembic sees the whole schema."""

from insight_atlas.accounts.models import AuthSession, PasswordResetToken, RefreshToken, User
from insight_atlas.billing.models import Subscription
from insight_atlas.db import Base

__all__ = ["AuthSession", "Base", "PasswordResetToken", "RefreshToken", "Subscription", "User"]
