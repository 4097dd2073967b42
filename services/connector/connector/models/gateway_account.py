"""A gateway account: one service's configuration with one payment provider."""

from __future__ import annotations

from typing import Any

from sqlalchemy import SmallInteger, String, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from connector.models._types import BigIntPK, CreatedAt, OffByDefault, Version, ZeroByDefault
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
    requires_3ds: Mapped[OffByDefault]
    notify_settings: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    corporate_credit_card_surcharge_amount: Mapped[ZeroByDefault]
    corporate_debit_card_surcharge_amount: Mapped[ZeroByDefault]
    corporate_prepaid_debit_card_surcharge_amount: Mapped[ZeroByDefault]
    email_collection_mode: Mapped[str] = mapped_column(String(20), nullable=False, server_default="MANDATORY")
    allow_apple_pay: Mapped[OffByDefault]
    allow_google_pay: Mapped[OffByDefault]
    allow_zero_amount: Mapped[OffByDefault]
    integration_version_3ds: Mapped[int] = mapped_column(SmallInteger, nullable=False, server_default="1")
    block_prepaid_cards: Mapped[OffByDefault]
    allow_moto: Mapped[OffByDefault]
    moto_mask_card_number_input: Mapped[OffByDefault]
    moto_mask_card_security_code_input: Mapped[OffByDefault]
    allow_telephone_payment_notifications: Mapped[OffByDefault]
    send_payer_ip_address_to_gateway: Mapped[OffByDefault]
    send_payer_email_to_gateway: Mapped[OffByDefault]
    send_reference_to_gateway: Mapped[OffByDefault]
    provider_switch_enabled: Mapped[OffByDefault]
    allow_authorisation_api: Mapped[OffByDefault]
    recurring_enabled: Mapped[OffByDefault]
    disabled: Mapped[OffByDefault]
    disabled_reason: Mapped[str | None] = mapped_column(Text)
    worldpay_exemption_engine_enabled: Mapped[OffByDefault]
    worldpay_corporate_exemptions_enabled: Mapped[OffByDefault]
    created_at: Mapped[CreatedAt]
    version: Mapped[Version]
