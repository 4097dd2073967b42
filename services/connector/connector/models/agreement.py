"""Recurring-payment agreements and the payment instruments that pay them (connector.md §11).

An agreement is created by the service (``POST /v1/api/accounts/{id}/agreements``); a web
payment with ``save_payment_instrument_to_agreement`` stores a :class:`PaymentInstrument`
when it authorises, and the agreement becomes usable for user-not-present payments when that
instrument turns ``ACTIVE``. Statuses move only through the agreements feature's transition
tables. The instrument keeps a *copy* of the card's displayable details and the gateway's
recurring token — never the card number or CVC.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, DateTime, ForeignKey, Index, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from connector.models._types import BigIntPK, CreatedAt, ExternalId, Version, owner_id
from pay_common.db.base import Model


class Agreement(Model):
    __tablename__ = "agreements"
    __table_args__ = (
        # Search (GET /v1/agreements) lists an account's agreements newest first.
        Index("ix_agreements_account_created", "gateway_account_id", "created_date"),
    )

    id: Mapped[BigIntPK]
    external_id: Mapped[ExternalId]
    gateway_account_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("gateway_accounts.id", ondelete="CASCADE"), nullable=False
    )
    service_id: Mapped[str | None] = mapped_column(String(32))
    live: Mapped[bool] = mapped_column(Boolean, nullable=False)
    reference: Mapped[str] = mapped_column(String(255), nullable=False)
    description: Mapped[str] = mapped_column(String(255), nullable=False)
    user_identifier: Mapped[str | None] = mapped_column(String(255))
    #: ``CREATED`` | ``ACTIVE`` | ``INACTIVE`` | ``CANCELLED`` (the public API shows them lower case).
    status: Mapped[str] = mapped_column(String(20), nullable=False, server_default="CREATED")
    #: The instrument payments are taken with; set when the set-up payment's instrument turns ACTIVE.
    payment_instrument_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("payment_instruments.id", ondelete="SET NULL", use_alter=True)
    )
    created_date: Mapped[CreatedAt]
    cancelled_date: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: ``service`` or ``user`` (cancelled by a user of the service's admin tool), once cancelled.
    cancelled_by: Mapped[str | None] = mapped_column(String(20))
    version: Mapped[Version]


class PaymentInstrument(Model):
    __tablename__ = "payment_instruments"

    id: Mapped[BigIntPK]
    external_id: Mapped[ExternalId]
    agreement_id: Mapped[int] = owner_id("agreements.id")
    #: The set-up payment whose authorisation created this instrument.
    charge_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("charges.id", ondelete="SET NULL"), index=True
    )
    #: ``CREATED`` | ``ACTIVE`` | ``INACTIVE`` | ``CANCELLED`` (connector.md §11.2).
    status: Mapped[str] = mapped_column(String(20), nullable=False, server_default="CREATED")
    #: The gateway's token map for user-not-present payments (sandbox ``{"token": uuid}``).
    recurring_auth_token: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False, server_default="{}")
    card_brand: Mapped[str | None] = mapped_column(String(50))
    card_type: Mapped[str | None] = mapped_column(String(20))
    first_digits_card_number: Mapped[str | None] = mapped_column(String(6))
    last_digits_card_number: Mapped[str | None] = mapped_column(String(4))
    #: ``MM/YY`` as the payer entered it.
    expiry_date: Mapped[str | None] = mapped_column(String(5))
    cardholder_name: Mapped[str | None] = mapped_column(String(255))
    #: ``{"line1", "line2", "postcode", "city", "county", "country"}`` when one was given.
    billing_address: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    start_date: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_date: Mapped[CreatedAt]
    version: Mapped[Version]
