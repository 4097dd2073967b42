"""Crash recovery: a cancel waiting for an authorisation's outcome, and a refund's last claim.

``charges.cancel_requested`` names the cancel flow (``user`` or ``expiry``) that asked for a
charge whose authorisation was still with the gateway; whoever records the outcome honours
it (docs/decisions.md, "Cancel during authorisation"). ``refunds.updated_date`` is when a
``CREATED`` refund was last claimed, so recovery workers never carry out one refund at once.
"""

import sqlalchemy as sa
from alembic import op

revision, down_revision = "0007_crash_recovery", "0006_jobs_outbox"


def upgrade() -> None:
    op.add_column("charges", sa.Column("cancel_requested", sa.String(length=10), nullable=True))
    op.add_column("refunds", sa.Column("updated_date", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    op.drop_column("refunds", "updated_date")
    op.drop_column("charges", "cancel_requested")
