"""What a gateway call about one charge needs, read while the charge's row is locked.

Authorisation, capture, cancel (void) and the clean-up sweep take this snapshot inside their
transaction and call the gateway once it has committed: a gateway call never runs inside an
open transaction. Each flow extends it with what only it needs (a cancel's flow, the card
authorisation's description and account switches).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any, Self

from sqlalchemy.ext.asyncio import AsyncSession

from connector.charges import repository
from connector.gateways.base import GatewayOperation
from connector.gateways.credentials import ProviderCredentials
from connector.models import Charge


@dataclass(frozen=True)
class GatewayCall:
    charge_id: int
    external_id: str
    provider: str
    gateway_transaction_id: str | None
    #: What the gateway authorises, captures or voids: the amount plus any surcharge.
    amount: int
    #: Typed for the charge's provider; None when the stored map does not fit it.
    credentials: ProviderCredentials | None
    #: Upper case (``WEB``, ``AGREEMENT``...): adapters pick merchant codes and flags by it.
    authorisation_mode: str
    #: A set-up payment (``save_payment_instrument_to_agreement``): Worldpay took it with the
    #: recurring customer-initiated merchant code, so its captures, voids and queries use that too.
    save_payment_instrument: bool

    @classmethod
    async def of(cls, session: AsyncSession, charge: Charge, **extra: Any) -> Self:
        """The snapshot of the locked ``charge`` (``extra``: a subclass's own fields)."""
        return cls(
            charge_id=charge.id,
            external_id=charge.external_id,
            provider=charge.payment_provider,
            gateway_transaction_id=charge.gateway_transaction_id,
            amount=charge.total_amount,
            credentials=await repository.credentials_for(session, charge),
            authorisation_mode=charge.authorisation_mode.upper(),
            save_payment_instrument=bool(charge.save_payment_instrument_to_agreement),
            **extra,
        )

    @classmethod
    def from_call(cls, call: GatewayCall, **changes: Any) -> Self:
        """Another flow's snapshot of the same charge (e.g. the void of an authorisation)."""
        base = {field.name: getattr(call, field.name) for field in fields(GatewayCall)}
        return cls(**{**base, **changes})

    def operation(self, idempotency_key: str) -> GatewayOperation:
        """Capture / cancel / query of this charge at its gateway."""
        return GatewayOperation(
            charge_external_id=self.external_id,
            gateway_transaction_id=self.gateway_transaction_id,
            amount=self.amount,
            credentials=self.credentials,
            idempotency_key=idempotency_key,
            authorisation_mode=self.authorisation_mode,
            save_payment_instrument=self.save_payment_instrument,
        )
