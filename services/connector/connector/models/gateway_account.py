"""A gateway account: one service's configuration with one payment provider."""

from __future__ import annotations

from typing import Any

from sqlalchemy import BigInteger, Boolean, SmallInteger, String, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from connector.models._types import BigIntPK, CreatedAt, Version
from pay_common.db.base import Model


class GatewayAccount(Model):
    __tablename__ = "gateway_accounts"

    id: Mapped[BigIntPK]
    external_id: Mapped[str] = mapped_column(String(32), unique=True, nullable=False)
    type: Mapped[str] = mapped_column(String(10), nullable=False, server_default="TEST")  # TEST | LIVE
    service_name: Mapped[str | None] = mapped_column(String(50))
    service_id: Mapped[str | None] = mapped_column(String(32), index=True)
    description: Mapped[str | None] = mapped_column(Text)
    analytics_id: Mapped[str | None] = mapped_column(Text)
    requires_3ds: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default="false")
    notify_settings: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    corporate_credit_card_surcharge_amount: Mapped[int] = mapped_column(
        BigInteger, nullable=False, server_default="0"
    )
    corporate_debit_card_surcharge_amount: Mapped[int] = mapped_column(
        BigInteger, nullable=False, server_default="0"
    )
    corporate_prepaid_debit_card_surcharge_amount: Mapped[int] = mapped_column(
        BigInteger, nullable=False, server_default="0"
    )
    email_collection_mode: Mapped[str] = mapped_column(String(20), nullable=False, server_default="MANDATORY")
    allow_apple_pay: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default="false")
    allow_google_pay: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default="false")
    allow_zero_amount: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default="false")
    integration_version_3ds: Mapped[int] = mapped_column(SmallInteger, nullable=False, server_default="1")
    block_prepaid_cards: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default="false")
    allow_moto: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default="false")
    moto_mask_card_number_input: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default="false")
    moto_mask_card_security_code_input: Mapped[bool] = mapped_column(
        Boolean, nullable=False, server_default="false"
    )
    allow_telephone_payment_notifications: Mapped[bool] = mapped_column(
        Boolean, nullable=False, server_default="false"
    )
    send_payer_ip_address_to_gateway: Mapped[bool] = mapped_column(
        Boolean, nullable=False, server_default="false"
    )
    send_payer_email_to_gateway: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default="false")
    send_reference_to_gateway: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default="false")
    provider_switch_enabled: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default="false")
    allow_authorisation_api: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default="false")
    recurring_enabled: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default="false")
    disabled: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default="false")
    disabled_reason: Mapped[str | None] = mapped_column(Text)
    worldpay_exemption_engine_enabled: Mapped[bool] = mapped_column(
        Boolean, nullable=False, server_default="false"
    )
    worldpay_corporate_exemptions_enabled: Mapped[bool] = mapped_column(
        Boolean, nullable=False, server_default="false"
    )
    created_at: Mapped[CreatedAt]
    version: Mapped[Version]
