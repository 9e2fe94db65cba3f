"""`atlas admin`: operator commands against the configured database and Stripe."""

from __future__ import annotations

import click

from insight_atlas.cli.admin.billing import billing
from insight_atlas.cli.admin.doctor import doctor
from insight_atlas.cli.admin.runtime import configure_admin_logging
from insight_atlas.cli.admin.users import user
from insight_atlas.cli.admin.webhooks import webhooks


@click.group()
def admin() -> None:
    """Operator commands: inspect users, reconcile billing, replay webhooks, check health.

    Exit status: 0 ok, 1 problems found or failure, 2 usage or configuration error.
    """
    configure_admin_logging()


admin.add_command(user)
admin.add_command(billing)
admin.add_command(webhooks)
admin.add_command(doctor)

__all__ = ["admin"]
