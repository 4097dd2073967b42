"""Every table of the connector. Alembic and the repositories import models from here only."""

from connector.models.agreement import Agreement, PaymentInstrument
from connector.models.api_key import ApiKey
from connector.models.card_type import CardType, accepted_card_types
from connector.models.charge import Charge
from connector.models.charge_event import ChargeEvent
from connector.models.dispute import Dispute
from connector.models.email_notification import EmailNotification
from connector.models.fee import Fee
from connector.models.gateway_account import GatewayAccount
from connector.models.gateway_account_credential import GatewayAccountCredential
from connector.models.idempotency import Idempotency
from connector.models.outbox_event import OutboxEvent
from connector.models.payment_email import PaymentEmail
from connector.models.refund import Refund, RefundHistory
from connector.models.stripe_setup import GatewayAccountStripeSetup
from connector.models.token import Token
from pay_common.db.base import Model

__all__ = [
    "Agreement",
    "ApiKey",
    "CardType",
    "Charge",
    "ChargeEvent",
    "Dispute",
    "EmailNotification",
    "Fee",
    "GatewayAccount",
    "GatewayAccountCredential",
    "GatewayAccountStripeSetup",
    "Idempotency",
    "Model",
    "OutboxEvent",
    "PaymentEmail",
    "PaymentInstrument",
    "Refund",
    "RefundHistory",
    "Token",
    "accepted_card_types",
]
