"""A partial index of the PENDING delivery attempts, in the order the delivery claim reads them.

Revision ID: 0002_pending_attempts_index
Revises: 0001_webhooks
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_pending_attempts_index"
down_revision: str | None = "0001_webhooks"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_webhook_delivery_queue_pending",
        "webhook_delivery_queue",
        ["send_at", "id"],
        unique=False,
        schema="webhooks",
        postgresql_where=sa.text("delivery_status = 'PENDING'"),
    )


def downgrade() -> None:
    op.drop_index("ix_webhook_delivery_queue_pending", table_name="webhook_delivery_queue", schema="webhooks")
