"""Every table, imported in one place so Alembic sees the whole schema."""

from insight_atlas.accounts.models import AuthSession, PasswordResetToken, RefreshToken, User
from insight_atlas.assessments.models import Assessment
from insight_atlas.billing.models import DeletedStripeCustomer, StripeEvent, Subscription
from insight_atlas.consent.models import ConsentRecord
from insight_atlas.db import Base
from insight_atlas.reports.models import Report, ShareLink
from insight_atlas.reports.rewrite_models import ReportRewrite

__all__ = [
    "Assessment",
    "AuthSession",
    "Base",
    "ConsentRecord",
    "DeletedStripeCustomer",
    "PasswordResetToken",
    "RefreshToken",
    "Report",
    "ReportRewrite",
    "ShareLink",
    "StripeEvent",
    "Subscription",
    "User",
]
