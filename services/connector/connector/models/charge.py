"""A charge: one card payment attempt, with the card details we may keep (first 6 / last 4).

``status`` holds the internal status string with spaces (``AUTHORISATION SUCCESS``); every
change to it goes through ``connector.charges.state``. Amounts are pence (BigInteger).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Computed,
    DateTime,
    ForeignKey,
    Index,
    SmallInteger,
    String,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from connector.models._types import BigIntPK, CreatedAt, ExternalId, OffByDefault, Version
from pay_common.db.base import Model


class Charge(Model):
    __tablename__ = "charges"
    __table_args__ = (
        Index("ix_charges_account_created", "gateway_account_id", "created_date"),
        Index("ix_charges_status_updated", "status", "updated_date"),
        # Search, reports and telephone idempotency (migration 0003, docs/search.md).
        *(
            Index(
                f"ix_charges_account_{c}_trgm",
                "gateway_account_id",
                f"{c}_lower",
                postgresql_using="gin",
                postgresql_ops={f"{c}_lower": "gin_trgm_ops"},
            )
            for c in ("reference", "email", "cardholder_name")
        ),
        *(
            Index(f"ix_charges_account_{c}_created", "gateway_account_id", c, "created_date")
            for c in ("status", "card_brand", "first_digits_card_number", "last_digits_card_number")
        ),
        Index(
            "ix_charges_account_agreement_created",
            "gateway_account_id",
            "agreement_external_id",
            "created_date",
            postgresql_where=text("agreement_external_id IS NOT NULL"),
        ),
        Index(
            "uq_charges_account_provider_id",
            "gateway_account_id",
            "provider_id",
            unique=True,
            postgresql_where=text("provider_id IS NOT NULL"),
        ),
        Index("ix_charges_status_created", "status", "created_date"),
        Index(
            "ix_charges_account_created_search",
            "gateway_account_id",
            "created_date",
            postgresql_include=["id", "reference_lower", "email_lower", "cardholder_name_lower", "status"],
        ),
    )

    id: Mapped[BigIntPK]
    external_id: Mapped[ExternalId]
    amount: Mapped[int] = mapped_column(BigInteger, nullable=False)
    status: Mapped[str] = mapped_column(Text, nullable=False)
    gateway_transaction_id: Mapped[str | None] = mapped_column(Text, index=True)
    return_url: Mapped[str | None] = mapped_column(Text)
    gateway_account_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("gateway_accounts.id"), nullable=False
    )
    gateway_account_credential_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("gateway_account_credentials.id")
    )
    payment_provider: Mapped[str] = mapped_column(String(255), nullable=False)
    description: Mapped[str] = mapped_column(String(255), nullable=False)
    reference: Mapped[str] = mapped_column(String(255), nullable=False)
    email: Mapped[str | None] = mapped_column(String(254))
    language: Mapped[str] = mapped_column(String(2), nullable=False, server_default="en")
    delayed_capture: Mapped[OffByDefault]
    corporate_surcharge: Mapped[int | None] = mapped_column(BigInteger)

    # Card details (connector.md §7.1). Never the full number, never the CVC.
    first_digits_card_number: Mapped[str | None] = mapped_column(String(6))
    last_digits_card_number: Mapped[str | None] = mapped_column(String(4))
    card_brand: Mapped[str | None] = mapped_column(String(255))
    card_type: Mapped[str | None] = mapped_column(String(10))
    cardholder_name: Mapped[str | None] = mapped_column(String(255))
    expiry_date: Mapped[str | None] = mapped_column(String(5))
    address_line1: Mapped[str | None] = mapped_column(String(255))
    address_line2: Mapped[str | None] = mapped_column(String(255))
    address_postcode: Mapped[str | None] = mapped_column(String(25))
    address_city: Mapped[str | None] = mapped_column(String(255))
    address_county: Mapped[str | None] = mapped_column(String(255))
    address_country: Mapped[str | None] = mapped_column(String(2))
    address_state_province: Mapped[str | None] = mapped_column(String(2))
    wallet: Mapped[str | None] = mapped_column(String(50))

    # 3DS.
    pa_request_3ds: Mapped[str | None] = mapped_column(Text)
    issuer_url_3ds: Mapped[str | None] = mapped_column(Text)
    html_out_3ds: Mapped[str | None] = mapped_column(Text)
    md_3ds: Mapped[str | None] = mapped_column(Text)
    version_3ds: Mapped[str | None] = mapped_column(String(10))
    requires_3ds: Mapped[bool | None] = mapped_column(Boolean)
    provider_session_id: Mapped[str | None] = mapped_column(Text)

    external_metadata: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    gateway_processing_details: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    source: Mapped[str | None] = mapped_column(String(50))
    moto: Mapped[OffByDefault]
    exemption_3ds: Mapped[str | None] = mapped_column(String(50))
    exemption_3ds_requested: Mapped[str | None] = mapped_column(String(32))
    service_id: Mapped[str | None] = mapped_column(String(32))
    save_payment_instrument_to_agreement: Mapped[OffByDefault]
    agreement_external_id: Mapped[str | None] = mapped_column(String(26))
    agreement_payment_type: Mapped[str | None] = mapped_column(String(30))
    authorisation_mode: Mapped[str] = mapped_column(String(30), nullable=False, server_default="WEB")
    can_retry: Mapped[bool | None] = mapped_column(Boolean)
    gateway_rejection_reason: Mapped[str | None] = mapped_column(String(255))
    integration_version_3ds: Mapped[int | None] = mapped_column(SmallInteger)
    #: Telephone payments (connector.md §10): the provider's id and the outcome as reported.
    provider_id: Mapped[str | None] = mapped_column(String(255))
    telephone_details: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    created_date: Mapped[CreatedAt]
    updated_date: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), nullable=False, server_default=func.now()
    )
    version: Mapped[Version]
    #: The cancel flow (``user``, ``expiry``) waiting for this charge's authorisation outcome:
    #: whoever records that outcome cancels (voids) it instead (cancel/service.py).
    cancel_requested: Mapped[str | None] = mapped_column(String(10))
    #: Lower-cased copies kept by PostgreSQL for the partial-match search (``ILIKE`` without
    #: lower-casing every row per query; migration 0003, docs/search.md). Never written.
    reference_lower: Mapped[str | None] = mapped_column(
        Text, Computed("lower((reference)::text)", persisted=True)
    )
    email_lower: Mapped[str | None] = mapped_column(Text, Computed("lower((email)::text)", persisted=True))
    cardholder_name_lower: Mapped[str | None] = mapped_column(
        Text, Computed("lower((cardholder_name)::text)", persisted=True)
    )

    @property
    def total_amount(self) -> int:
        """What the payer pays: see :func:`total_amount`."""
        return total_amount(self.amount, self.corporate_surcharge)


def total_amount(amount: int, corporate_surcharge: int | None) -> int:
    """The amount plus any corporate-card surcharge: what the payer pays, what the gateway
    authorises, captures and cancels, and what can be refunded. The one place it is summed."""
    return amount + (corporate_surcharge or 0)
