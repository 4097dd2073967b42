"""Email resends: a payment confirmation can be sent again on request (connector.md §14.4).

``payment_emails`` kept one row per charge, kind and refund, which made a redelivered event owe
nothing more. A resend is a row of its own (``source`` = ``RESEND``), so the uniqueness now holds
for the event stream's rows (``source`` = ``EVENT``) only.
"""

import sqlalchemy as sa
from alembic import op

revision, down_revision = "0011_email_resends", "0010_agreements"


def upgrade() -> None:
    op.add_column(
        "payment_emails", sa.Column("source", sa.String(length=10), server_default="EVENT", nullable=False)
    )
    op.drop_constraint(
        "uq_payment_emails_charge_external_id_kind_refund_external_id", "payment_emails", type_="unique"
    )
    op.create_index(
        "uq_payment_emails_owed",
        "payment_emails",
        ["charge_external_id", "kind", "refund_external_id"],
        unique=True,
        postgresql_where=sa.text("source = 'EVENT'"),
    )


def downgrade() -> None:
    op.execute("DELETE FROM payment_emails WHERE source <> 'EVENT'")
    op.drop_index("uq_payment_emails_owed", table_name="payment_emails")
    op.create_unique_constraint(
        "uq_payment_emails_charge_external_id_kind_refund_external_id",
        "payment_emails",
        ["charge_external_id", "kind", "refund_external_id"],
    )
    op.drop_column("payment_emails", "source")
