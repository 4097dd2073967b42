"""Payment emails: what the payer is owed (payment confirmed, refund issued) and how far it got."""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision, down_revision = "0008_payment_emails", "0007_crash_recovery"


def upgrade() -> None:
    op.create_table(
        "payment_emails",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column(
            "created_date", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("charge_external_id", sa.String(length=26), nullable=False),
        sa.Column("refund_external_id", sa.String(length=26), server_default="", nullable=False),
        sa.Column("status", sa.String(length=20), server_default="PENDING", nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("template_id", sa.String(length=64), nullable=True),
        sa.Column("notification_id", sa.String(length=64), nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("mailbox_to", sa.String(length=254), nullable=True),
        sa.Column("mailbox_personalisation", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("sent_date", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_emails")),
        sa.UniqueConstraint(
            "charge_external_id",
            "kind",
            "refund_external_id",
            name=op.f("uq_payment_emails_charge_external_id_kind_refund_external_id"),
        ),
    )
    op.create_index(
        op.f("ix_payment_emails_charge_external_id"), "payment_emails", ["charge_external_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_payment_emails_charge_external_id"), table_name="payment_emails")
    op.drop_table("payment_emails")
