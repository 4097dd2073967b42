"""Fees a payment provider charged for a charge (shown as fee / net_amount on the charge)."""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision, down_revision = "0005", "0004"


def upgrade() -> None:
    op.create_table(
        "fees",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("external_id", sa.String(length=26), nullable=False),
        sa.Column("charge_id", sa.BigInteger(), nullable=False),
        sa.Column("amount_due", sa.BigInteger(), nullable=False),
        sa.Column("amount_collected", sa.BigInteger(), nullable=False),
        sa.Column("fee_type", sa.String(length=20), nullable=True),
        sa.Column("gateway_transaction_id", sa.String(length=255), nullable=True),
        sa.Column("gateway_processing_details", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column(
            "created_date", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column("collected_date", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.BigInteger(), server_default="0", nullable=False),
        sa.ForeignKeyConstraint(
            ["charge_id"], ["charges.id"], name=op.f("fk_fees_charge_id_charges"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fees")),
        sa.UniqueConstraint("external_id", name=op.f("uq_fees_external_id")),
    )
    op.create_index(op.f("ix_fees_charge_id"), "fees", ["charge_id"], unique=False)
    op.create_index(op.f("ix_fees_gateway_transaction_id"), "fees", ["gateway_transaction_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_fees_gateway_transaction_id"), table_name="fees")
    op.drop_index(op.f("ix_fees_charge_id"), table_name="fees")
    op.drop_table("fees")
