"""Recurring-payment agreements and their payment instruments (connector.md §11).

The two tables point at each other: an instrument belongs to one agreement, and an agreement
names the instrument its payments use, so the agreement's foreign key is added after both exist.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision, down_revision = "0010_agreements", "0009_disputes"


def upgrade() -> None:
    op.create_table(
        "agreements",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("external_id", sa.String(length=26), nullable=False),
        sa.Column("gateway_account_id", sa.BigInteger(), nullable=False),
        sa.Column("service_id", sa.String(length=32), nullable=True),
        sa.Column("live", sa.Boolean(), nullable=False),
        sa.Column("reference", sa.String(length=255), nullable=False),
        sa.Column("description", sa.String(length=255), nullable=False),
        sa.Column("user_identifier", sa.String(length=255), nullable=True),
        sa.Column("status", sa.String(length=20), server_default="CREATED", nullable=False),
        sa.Column("payment_instrument_id", sa.BigInteger(), nullable=True),
        sa.Column(
            "created_date", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column("cancelled_date", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancelled_by", sa.String(length=20), nullable=True),
        sa.Column("version", sa.BigInteger(), server_default="0", nullable=False),
        sa.ForeignKeyConstraint(
            ["gateway_account_id"],
            ["gateway_accounts.id"],
            name=op.f("fk_agreements_gateway_account_id_gateway_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agreements")),
        sa.UniqueConstraint("external_id", name=op.f("uq_agreements_external_id")),
    )
    op.create_index(
        "ix_agreements_account_created", "agreements", ["gateway_account_id", "created_date"], unique=False
    )
    op.create_table(
        "payment_instruments",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("external_id", sa.String(length=26), nullable=False),
        sa.Column("agreement_id", sa.BigInteger(), nullable=False),
        sa.Column("charge_id", sa.BigInteger(), nullable=True),
        sa.Column("status", sa.String(length=20), server_default="CREATED", nullable=False),
        sa.Column(
            "recurring_auth_token",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default="{}",
            nullable=False,
        ),
        sa.Column("card_brand", sa.String(length=50), nullable=True),
        sa.Column("card_type", sa.String(length=20), nullable=True),
        sa.Column("first_digits_card_number", sa.String(length=6), nullable=True),
        sa.Column("last_digits_card_number", sa.String(length=4), nullable=True),
        sa.Column("expiry_date", sa.String(length=5), nullable=True),
        sa.Column("cardholder_name", sa.String(length=255), nullable=True),
        sa.Column("billing_address", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("start_date", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "created_date", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column("version", sa.BigInteger(), server_default="0", nullable=False),
        sa.ForeignKeyConstraint(
            ["agreement_id"],
            ["agreements.id"],
            name=op.f("fk_payment_instruments_agreement_id_agreements"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["charge_id"],
            ["charges.id"],
            name=op.f("fk_payment_instruments_charge_id_charges"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_instruments")),
        sa.UniqueConstraint("external_id", name=op.f("uq_payment_instruments_external_id")),
    )
    op.create_index(
        op.f("ix_payment_instruments_agreement_id"), "payment_instruments", ["agreement_id"], unique=False
    )
    op.create_index(
        op.f("ix_payment_instruments_charge_id"), "payment_instruments", ["charge_id"], unique=False
    )
    op.create_foreign_key(
        op.f("fk_agreements_payment_instrument_id_payment_instruments"),
        "agreements",
        "payment_instruments",
        ["payment_instrument_id"],
        ["id"],
        ondelete="SET NULL",
    )


def downgrade() -> None:
    op.drop_constraint(
        op.f("fk_agreements_payment_instrument_id_payment_instruments"), "agreements", type_="foreignkey"
    )
    op.drop_index(op.f("ix_payment_instruments_charge_id"), table_name="payment_instruments")
    op.drop_index(op.f("ix_payment_instruments_agreement_id"), table_name="payment_instruments")
    op.drop_table("payment_instruments")
    op.drop_index("ix_agreements_account_created", table_name="agreements")
    op.drop_table("agreements")
