"""Foundation schema: accounts, credentials, card types, charges, events, tokens, refunds.

The card_types rows are the seed data of connector.md §7.2 with fixed ids, so every
installation (and every test database) agrees on them.

Create Date: 2026-11-22 03:02:55.282980
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision, down_revision = "0001", None

CARD_TYPES = [
    ("a9d2e8a4-0c4e-4b6c-9f1a-000000000001", "visa", "DEBIT", "Visa", False),
    ("a9d2e8a4-0c4e-4b6c-9f1a-000000000002", "visa", "CREDIT", "Visa", False),
    ("a9d2e8a4-0c4e-4b6c-9f1a-000000000003", "master-card", "DEBIT", "Mastercard", False),
    ("a9d2e8a4-0c4e-4b6c-9f1a-000000000004", "master-card", "CREDIT", "Mastercard", False),
    ("a9d2e8a4-0c4e-4b6c-9f1a-000000000005", "american-express", "CREDIT", "American Express", False),
    ("a9d2e8a4-0c4e-4b6c-9f1a-000000000006", "diners-club", "CREDIT", "Diners Club", False),
    ("a9d2e8a4-0c4e-4b6c-9f1a-000000000007", "discover", "CREDIT", "Discover", False),
    ("a9d2e8a4-0c4e-4b6c-9f1a-000000000008", "jcb", "CREDIT", "Jcb", False),
    ("a9d2e8a4-0c4e-4b6c-9f1a-000000000009", "unionpay", "CREDIT", "Union Pay", False),
    ("a9d2e8a4-0c4e-4b6c-9f1a-000000000010", "maestro", "DEBIT", "Maestro", True),
]


def upgrade() -> None:
    # pg_trgm backs the partial-match (ILIKE) indexes on reference and email.
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.create_table(
        "card_types",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("brand", sa.String(length=50), nullable=False),
        sa.Column("type", sa.String(length=10), nullable=False),
        sa.Column("label", sa.String(length=50), nullable=False),
        sa.Column("requires_3ds", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("version", sa.BigInteger(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_card_types")),
    )
    op.create_index(op.f("ix_card_types_brand"), "card_types", ["brand"], unique=False)
    op.create_table(
        "gateway_accounts",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("external_id", sa.String(length=32), nullable=False),
        sa.Column("type", sa.String(length=10), server_default="TEST", nullable=False),
        sa.Column("service_name", sa.String(length=50), nullable=True),
        sa.Column("service_id", sa.String(length=32), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("analytics_id", sa.Text(), nullable=True),
        sa.Column("requires_3ds", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("notify_settings", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column(
            "corporate_credit_card_surcharge_amount", sa.BigInteger(), server_default="0", nullable=False
        ),
        sa.Column(
            "corporate_debit_card_surcharge_amount", sa.BigInteger(), server_default="0", nullable=False
        ),
        sa.Column(
            "corporate_prepaid_debit_card_surcharge_amount",
            sa.BigInteger(),
            server_default="0",
            nullable=False,
        ),
        sa.Column("email_collection_mode", sa.String(length=20), server_default="MANDATORY", nullable=False),
        sa.Column("allow_apple_pay", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("allow_google_pay", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("allow_zero_amount", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("integration_version_3ds", sa.SmallInteger(), server_default="1", nullable=False),
        sa.Column("block_prepaid_cards", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("allow_moto", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("moto_mask_card_number_input", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("moto_mask_card_security_code_input", sa.Boolean(), server_default="false", nullable=False),
        sa.Column(
            "allow_telephone_payment_notifications", sa.Boolean(), server_default="false", nullable=False
        ),
        sa.Column("send_payer_ip_address_to_gateway", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("send_payer_email_to_gateway", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("send_reference_to_gateway", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("provider_switch_enabled", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("allow_authorisation_api", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("recurring_enabled", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("disabled", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("disabled_reason", sa.Text(), nullable=True),
        sa.Column("worldpay_exemption_engine_enabled", sa.Boolean(), server_default="false", nullable=False),
        sa.Column(
            "worldpay_corporate_exemptions_enabled", sa.Boolean(), server_default="false", nullable=False
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("version", sa.BigInteger(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gateway_accounts")),
        sa.UniqueConstraint("external_id", name=op.f("uq_gateway_accounts_external_id")),
    )
    op.create_index(op.f("ix_gateway_accounts_service_id"), "gateway_accounts", ["service_id"], unique=False)
    op.create_table(
        "idempotency",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("gateway_account_id", sa.BigInteger(), nullable=False),
        sa.Column("resource_external_id", sa.String(length=26), nullable=False),
        sa.Column("request_body", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column(
            "created_date", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_idempotency")),
        sa.UniqueConstraint("gateway_account_id", "key", name=op.f("uq_idempotency_gateway_account_id_key")),
    )
    op.create_table(
        "refunds",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("external_id", sa.String(length=26), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=25), nullable=False),
        sa.Column(
            "created_date", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column("user_external_id", sa.String(length=32), nullable=True),
        sa.Column("user_email", sa.String(length=255), nullable=True),
        sa.Column("gateway_transaction_id", sa.String(length=255), nullable=True),
        sa.Column("charge_external_id", sa.String(length=26), nullable=False),
        sa.Column("version", sa.BigInteger(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_refunds")),
        sa.UniqueConstraint("external_id", name=op.f("uq_refunds_external_id")),
    )
    op.create_index(op.f("ix_refunds_charge_external_id"), "refunds", ["charge_external_id"], unique=False)
    op.create_index(
        op.f("ix_refunds_gateway_transaction_id"), "refunds", ["gateway_transaction_id"], unique=False
    )
    op.create_index(op.f("ix_refunds_status"), "refunds", ["status"], unique=False)
    op.create_table(
        "refunds_history",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("refund_id", sa.BigInteger(), nullable=False),
        sa.Column("external_id", sa.String(length=26), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=25), nullable=False),
        sa.Column("created_date", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_external_id", sa.String(length=32), nullable=True),
        sa.Column("user_email", sa.String(length=255), nullable=True),
        sa.Column("gateway_transaction_id", sa.String(length=255), nullable=True),
        sa.Column("charge_external_id", sa.String(length=26), nullable=False),
        sa.Column(
            "history_start_date", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column("history_end_date", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.BigInteger(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_refunds_history")),
    )
    op.create_index(
        op.f("ix_refunds_history_charge_external_id"), "refunds_history", ["charge_external_id"], unique=False
    )
    op.create_index(op.f("ix_refunds_history_refund_id"), "refunds_history", ["refund_id"], unique=False)
    op.create_table(
        "accepted_card_types",
        sa.Column("gateway_account_id", sa.BigInteger(), nullable=False),
        sa.Column("card_type_id", sa.UUID(), nullable=False),
        sa.ForeignKeyConstraint(
            ["card_type_id"], ["card_types.id"], name=op.f("fk_accepted_card_types_card_type_id_card_types")
        ),
        sa.ForeignKeyConstraint(
            ["gateway_account_id"],
            ["gateway_accounts.id"],
            name=op.f("fk_accepted_card_types_gateway_account_id_gateway_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("gateway_account_id", "card_type_id", name=op.f("pk_accepted_card_types")),
    )
    op.create_table(
        "email_notifications",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        sa.Column("type", sa.String(length=30), nullable=False),
        sa.Column("template_body", sa.Text(), nullable=True),
        sa.Column("enabled", sa.Boolean(), server_default="true", nullable=False),
        sa.Column("version", sa.BigInteger(), server_default="0", nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["gateway_accounts.id"],
            name=op.f("fk_email_notifications_account_id_gateway_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_email_notifications")),
        sa.UniqueConstraint("account_id", "type", name=op.f("uq_email_notifications_account_id_type")),
    )
    op.create_table(
        "gateway_account_credentials",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("external_id", sa.String(length=32), nullable=False),
        sa.Column("gateway_account_id", sa.BigInteger(), nullable=False),
        sa.Column("payment_provider", sa.String(length=255), nullable=False),
        sa.Column(
            "credentials", postgresql.JSONB(astext_type=sa.Text()), server_default="{}", nullable=False
        ),
        sa.Column("state", sa.String(length=50), nullable=False),
        sa.Column("active_start_date", sa.DateTime(timezone=True), nullable=True),
        sa.Column("active_end_date", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_updated_by_user_external_id", sa.String(length=32), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("version", sa.BigInteger(), server_default="0", nullable=False),
        sa.ForeignKeyConstraint(
            ["gateway_account_id"],
            ["gateway_accounts.id"],
            name=op.f("fk_gateway_account_credentials_gateway_account_id_gateway_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gateway_account_credentials")),
        sa.UniqueConstraint("external_id", name=op.f("uq_gateway_account_credentials_external_id")),
    )
    op.create_index(
        op.f("ix_gateway_account_credentials_gateway_account_id"),
        "gateway_account_credentials",
        ["gateway_account_id"],
        unique=False,
    )
    op.create_table(
        "gateway_accounts_stripe_setup",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("gateway_account_id", sa.BigInteger(), nullable=False),
        sa.Column("task", sa.String(length=255), nullable=False),
        sa.Column("version", sa.BigInteger(), server_default="0", nullable=False),
        sa.ForeignKeyConstraint(
            ["gateway_account_id"],
            ["gateway_accounts.id"],
            name=op.f("fk_gateway_accounts_stripe_setup_gateway_account_id_gateway_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gateway_accounts_stripe_setup")),
        sa.UniqueConstraint(
            "gateway_account_id",
            "task",
            name=op.f("uq_gateway_accounts_stripe_setup_gateway_account_id_task"),
        ),
    )
    op.create_index(
        op.f("ix_gateway_accounts_stripe_setup_gateway_account_id"),
        "gateway_accounts_stripe_setup",
        ["gateway_account_id"],
        unique=False,
    )
    op.create_table(
        "charges",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("external_id", sa.String(length=26), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("gateway_transaction_id", sa.Text(), nullable=True),
        sa.Column("return_url", sa.Text(), nullable=True),
        sa.Column("gateway_account_id", sa.BigInteger(), nullable=False),
        sa.Column("gateway_account_credential_id", sa.BigInteger(), nullable=True),
        sa.Column("payment_provider", sa.String(length=255), nullable=False),
        sa.Column("description", sa.String(length=255), nullable=False),
        sa.Column("reference", sa.String(length=255), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("language", sa.String(length=2), server_default="en", nullable=False),
        sa.Column("delayed_capture", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("corporate_surcharge", sa.BigInteger(), nullable=True),
        sa.Column("first_digits_card_number", sa.String(length=6), nullable=True),
        sa.Column("last_digits_card_number", sa.String(length=4), nullable=True),
        sa.Column("card_brand", sa.String(length=255), nullable=True),
        sa.Column("card_type", sa.String(length=10), nullable=True),
        sa.Column("cardholder_name", sa.String(length=255), nullable=True),
        sa.Column("expiry_date", sa.String(length=5), nullable=True),
        sa.Column("address_line1", sa.String(length=255), nullable=True),
        sa.Column("address_line2", sa.String(length=255), nullable=True),
        sa.Column("address_postcode", sa.String(length=25), nullable=True),
        sa.Column("address_city", sa.String(length=255), nullable=True),
        sa.Column("address_county", sa.String(length=255), nullable=True),
        sa.Column("address_country", sa.String(length=2), nullable=True),
        sa.Column("address_state_province", sa.String(length=2), nullable=True),
        sa.Column("wallet", sa.String(length=50), nullable=True),
        sa.Column("pa_request_3ds", sa.Text(), nullable=True),
        sa.Column("issuer_url_3ds", sa.Text(), nullable=True),
        sa.Column("html_out_3ds", sa.Text(), nullable=True),
        sa.Column("md_3ds", sa.Text(), nullable=True),
        sa.Column("version_3ds", sa.String(length=10), nullable=True),
        sa.Column("requires_3ds", sa.Boolean(), nullable=True),
        sa.Column("provider_session_id", sa.Text(), nullable=True),
        sa.Column("external_metadata", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("gateway_processing_details", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("source", sa.String(length=50), nullable=True),
        sa.Column("moto", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("exemption_3ds", sa.String(length=50), nullable=True),
        sa.Column("exemption_3ds_requested", sa.String(length=32), nullable=True),
        sa.Column("service_id", sa.String(length=32), nullable=True),
        sa.Column(
            "save_payment_instrument_to_agreement", sa.Boolean(), server_default="false", nullable=False
        ),
        sa.Column("agreement_external_id", sa.String(length=26), nullable=True),
        sa.Column("agreement_payment_type", sa.String(length=30), nullable=True),
        sa.Column("authorisation_mode", sa.String(length=30), server_default="WEB", nullable=False),
        sa.Column("can_retry", sa.Boolean(), nullable=True),
        sa.Column("gateway_rejection_reason", sa.String(length=255), nullable=True),
        sa.Column("integration_version_3ds", sa.SmallInteger(), nullable=True),
        sa.Column("provider_id", sa.String(length=255), nullable=True),
        sa.Column("telephone_details", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column(
            "created_date", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column(
            "updated_date", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column("version", sa.BigInteger(), server_default="0", nullable=False),
        sa.ForeignKeyConstraint(
            ["gateway_account_credential_id"],
            ["gateway_account_credentials.id"],
            name=op.f("fk_charges_gateway_account_credential_id_gateway_account_credentials"),
        ),
        sa.ForeignKeyConstraint(
            ["gateway_account_id"],
            ["gateway_accounts.id"],
            name=op.f("fk_charges_gateway_account_id_gateway_accounts"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_charges")),
        sa.UniqueConstraint("external_id", name=op.f("uq_charges_external_id")),
    )
    op.create_index(
        "ix_charges_account_created", "charges", ["gateway_account_id", "created_date"], unique=False
    )
    op.create_index(
        op.f("ix_charges_gateway_transaction_id"), "charges", ["gateway_transaction_id"], unique=False
    )
    op.create_index("ix_charges_status_updated", "charges", ["status", "updated_date"], unique=False)
    op.create_table(
        "charge_events",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("charge_id", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("event_name", sa.String(length=100), nullable=True),
        sa.Column("updated", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("gateway_event_date", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.BigInteger(), server_default="0", nullable=False),
        sa.ForeignKeyConstraint(
            ["charge_id"], ["charges.id"], name=op.f("fk_charge_events_charge_id_charges"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_charge_events")),
    )
    op.create_index(op.f("ix_charge_events_charge_id"), "charge_events", ["charge_id"], unique=False)
    op.create_table(
        "tokens",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("charge_id", sa.BigInteger(), nullable=False),
        sa.Column("secure_redirect_token", sa.String(length=255), nullable=False),
        sa.Column("created_date", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("version", sa.BigInteger(), server_default="0", nullable=False),
        sa.ForeignKeyConstraint(
            ["charge_id"], ["charges.id"], name=op.f("fk_tokens_charge_id_charges"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tokens")),
        sa.UniqueConstraint("secure_redirect_token", name=op.f("uq_tokens_secure_redirect_token")),
    )
    op.create_index(op.f("ix_tokens_charge_id"), "tokens", ["charge_id"], unique=False)
    op.create_index(op.f("ix_tokens_created_date"), "tokens", ["created_date"], unique=False)

    card_types = sa.table(
        "card_types",
        sa.column("id", sa.UUID()),
        sa.column("brand", sa.String()),
        sa.column("type", sa.String()),
        sa.column("label", sa.String()),
        sa.column("requires_3ds", sa.Boolean()),
    )
    op.bulk_insert(
        card_types,
        [
            {"id": id_, "brand": brand, "type": type_, "label": label, "requires_3ds": requires_3ds}
            for id_, brand, type_, label, requires_3ds in CARD_TYPES
        ],
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_tokens_created_date"), table_name="tokens")
    op.drop_index(op.f("ix_tokens_charge_id"), table_name="tokens")
    op.drop_table("tokens")
    op.drop_index(op.f("ix_charge_events_charge_id"), table_name="charge_events")
    op.drop_table("charge_events")
    op.drop_index("ix_charges_status_updated", table_name="charges")
    op.drop_index(op.f("ix_charges_gateway_transaction_id"), table_name="charges")
    op.drop_index("ix_charges_account_created", table_name="charges")
    op.drop_table("charges")
    op.drop_index(
        op.f("ix_gateway_accounts_stripe_setup_gateway_account_id"),
        table_name="gateway_accounts_stripe_setup",
    )
    op.drop_table("gateway_accounts_stripe_setup")
    op.drop_index(
        op.f("ix_gateway_account_credentials_gateway_account_id"), table_name="gateway_account_credentials"
    )
    op.drop_table("gateway_account_credentials")
    op.drop_table("email_notifications")
    op.drop_table("accepted_card_types")
    op.drop_index(op.f("ix_refunds_history_refund_id"), table_name="refunds_history")
    op.drop_index(op.f("ix_refunds_history_charge_external_id"), table_name="refunds_history")
    op.drop_table("refunds_history")
    op.drop_index(op.f("ix_refunds_status"), table_name="refunds")
    op.drop_index(op.f("ix_refunds_gateway_transaction_id"), table_name="refunds")
    op.drop_index(op.f("ix_refunds_charge_external_id"), table_name="refunds")
    op.drop_table("refunds")
    op.drop_table("idempotency")
    op.drop_index(op.f("ix_gateway_accounts_service_id"), table_name="gateway_accounts")
    op.drop_table("gateway_accounts")
    op.drop_index(op.f("ix_card_types_brand"), table_name="card_types")
    op.drop_table("card_types")
