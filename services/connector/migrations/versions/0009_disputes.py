"""Disputes raised against charges (Stripe ``charge.dispute.*`` webhooks), one row per dispute."""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision, down_revision = "0009_disputes", "0008_payment_emails"


def upgrade() -> None:
    op.create_table(
        "disputes",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("gateway_dispute_id", sa.String(length=255), nullable=False),
        sa.Column("charge_id", sa.BigInteger(), nullable=True),
        sa.Column("payment_intent_id", sa.String(length=255), nullable=True),
        sa.Column("amount", sa.BigInteger(), nullable=True),
        sa.Column("reason", sa.String(length=100), nullable=True),
        sa.Column("status", sa.String(length=50), nullable=False),
        sa.Column("evidence_due_date", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_event_type", sa.String(length=50), nullable=False),
        sa.Column("payload", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column(
            "created_date", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column(
            "updated_date", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["charge_id"], ["charges.id"], name=op.f("fk_disputes_charge_id_charges"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_disputes")),
        sa.UniqueConstraint("gateway_dispute_id", name=op.f("uq_disputes_gateway_dispute_id")),
    )
    op.create_index(op.f("ix_disputes_charge_id"), "disputes", ["charge_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_disputes_charge_id"), table_name="disputes")
    op.drop_table("disputes")
