"""A partial index of the PENDING delivery attempts, in the order the delivery claim reads them."""

import sqlalchemy as sa
from alembic import op

revision, down_revision = "0002_pending_attempts_index", "0001_webhooks"


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
