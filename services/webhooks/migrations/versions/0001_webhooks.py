"""Webhooks, subscriptions, messages and the delivery queue (schema ``webhooks``).

Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision, down_revision = "0001_webhooks", None

SCHEMA = "webhooks"
EVENT_TYPES = (
    "card_payment_started",
    "card_payment_succeeded",
    "card_payment_captured",
    "card_payment_refunded",
    "card_payment_failed",
    "card_payment_expired",
)
DELIVERY_STATUSES = ("PENDING", "SUCCESSFUL", "FAILED", "WILL_NOT_SEND")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def upgrade() -> None:
    op.execute(f'CREATE SCHEMA IF NOT EXISTS "{SCHEMA}"')
    op.create_table(
        "webhooks",
        sa.Column("id", sa.BigInteger(), primary_key=True),
        sa.Column("external_id", sa.String(30), nullable=False),
        sa.Column("created_date", sa.DateTime(timezone=True), nullable=False),
        sa.Column("signing_key_encrypted", sa.Text(), nullable=False),
        sa.Column("service_id", sa.String(32), nullable=False),
        sa.Column("gateway_account_id", sa.String(255), nullable=False),
        sa.Column("live", sa.Boolean(), nullable=False),
        sa.Column("callback_url", sa.String(2048), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("status", sa.String(32), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_webhooks"),
        sa.UniqueConstraint("external_id", name="uq_webhooks_external_id"),
        sa.CheckConstraint("status IN ('ACTIVE', 'INACTIVE')", name="ck_webhooks_status"),
        schema=SCHEMA,
    )
    op.create_index("ix_webhooks_gateway_account_id", "webhooks", ["gateway_account_id"], schema=SCHEMA)
    op.create_table(
        "webhook_subscriptions",
        sa.Column("webhook_id", sa.BigInteger(), nullable=False),
        sa.Column("event_type", sa.String(64), nullable=False),
        sa.ForeignKeyConstraint(
            ["webhook_id"],
            [f"{SCHEMA}.webhooks.id"],
            name="fk_webhook_subscriptions_webhook_id_webhooks",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("webhook_id", "event_type", name="pk_webhook_subscriptions"),
        sa.CheckConstraint(_in("event_type", EVENT_TYPES), name="ck_webhook_subscriptions_event_type"),
        schema=SCHEMA,
    )
    op.create_table(
        "webhook_messages",
        sa.Column("id", sa.BigInteger(), primary_key=True),
        sa.Column("external_id", sa.String(30), nullable=False),
        sa.Column("created_date", sa.DateTime(timezone=True), nullable=False),
        sa.Column("webhook_id", sa.BigInteger(), nullable=False),
        sa.Column("event_date", sa.DateTime(timezone=True), nullable=False),
        sa.Column("event_type", sa.String(64), nullable=False),
        sa.Column("event_key", sa.String(200), nullable=False),
        sa.Column("resource", postgresql.JSONB(), nullable=False),
        sa.Column("resource_external_id", sa.String(26), nullable=False),
        sa.Column("resource_type", sa.String(32), nullable=False),
        sa.Column("last_delivery_status", sa.String(32), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_webhook_messages"),
        sa.UniqueConstraint("external_id", name="uq_webhook_messages_external_id"),
        sa.ForeignKeyConstraint(
            ["webhook_id"],
            [f"{SCHEMA}.webhooks.id"],
            name="fk_webhook_messages_webhook_id_webhooks",
            ondelete="CASCADE",
        ),
        sa.CheckConstraint(_in("event_type", EVENT_TYPES), name="ck_webhook_messages_event_type"),
        schema=SCHEMA,
    )
    op.create_index(
        "uq_webhook_messages_webhook_id_event_key",
        "webhook_messages",
        ["webhook_id", "event_key"],
        unique=True,
        schema=SCHEMA,
    )
    op.create_index(
        "ix_webhook_messages_webhook_id_created_date",
        "webhook_messages",
        ["webhook_id", "created_date"],
        schema=SCHEMA,
    )
    op.create_index(
        "ix_webhook_messages_resource_external_id",
        "webhook_messages",
        ["resource_external_id"],
        schema=SCHEMA,
    )
    op.create_table(
        "webhook_delivery_queue",
        sa.Column("id", sa.BigInteger(), primary_key=True),
        sa.Column("created_date", sa.DateTime(timezone=True), nullable=False),
        sa.Column("send_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("delivery_status", sa.String(32), nullable=False),
        sa.Column("delivery_result", sa.Text(), nullable=True),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("delivery_response_time_in_millis", sa.Integer(), nullable=True),
        sa.Column("webhook_message_id", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_webhook_delivery_queue"),
        sa.ForeignKeyConstraint(
            ["webhook_message_id"],
            [f"{SCHEMA}.webhook_messages.id"],
            name="fk_webhook_delivery_queue_webhook_message_id_webhook_messages",
            ondelete="CASCADE",
        ),
        sa.CheckConstraint(
            _in("delivery_status", DELIVERY_STATUSES), name="ck_webhook_delivery_queue_delivery_status"
        ),
        schema=SCHEMA,
    )
    op.create_index(
        "ix_webhook_delivery_queue_send_at_delivery_status",
        "webhook_delivery_queue",
        ["send_at", "delivery_status"],
        schema=SCHEMA,
    )
    op.create_index(
        "ix_webhook_delivery_queue_webhook_message_id",
        "webhook_delivery_queue",
        ["webhook_message_id"],
        schema=SCHEMA,
    )


def downgrade() -> None:
    op.drop_table("webhook_delivery_queue", schema=SCHEMA)
    op.drop_table("webhook_messages", schema=SCHEMA)
    op.drop_table("webhook_subscriptions", schema=SCHEMA)
    op.drop_table("webhooks", schema=SCHEMA)
