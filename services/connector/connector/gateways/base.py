"""The gateway seam: what the charge and refund services may ask of a payment provider.

Adapters live in ``gateways/<name>/adapter.py`` and are looked up by ``payment_provider``
in ``gateways/registry.py``. Gateway calls never happen inside an open database
transaction: callers record the intent, commit, call, then record the result.

Hierarchy::

    GatewayError               (message: what the provider said; a "generic" error)
    ├── GatewayTimeout         (the provider did not answer in time)
    ├── GatewayUnavailable     (unexpected HTTP error / cannot connect)
    ├── GatewayOrderNotFound   (query: the provider has no such payment)
    └── UnsupportedGateway     (no adapter for this payment_provider; registry.get_gateway)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

from connector.gateways.credentials import ProviderCredentials


class GatewayError(Exception):
    """The provider answered with an error, or could not be reached."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


class GatewayTimeout(GatewayError):
    pass


class GatewayUnavailable(GatewayError):
    pass


class UnsupportedGateway(GatewayError):
    """No adapter is registered for the charge's payment provider."""


class GatewayOrderNotFound(GatewayError):
    """``query``: the provider has no record of this payment (connector.md §9.3, "charge missing")."""


class AuthorisationStatus(StrEnum):
    AUTHORISED = "AUTHORISED"
    REJECTED = "REJECTED"
    REQUIRES_3DS = "REQUIRES_3DS"
    CANCELLED = "CANCELLED"
    ERROR = "ERROR"
    #: Only from ``query``: the money was already captured (or settled, refunded).
    CAPTURED = "CAPTURED"


@dataclass(frozen=True)
class BillingAddress:
    line1: str
    line2: str | None
    postcode: str
    city: str
    country: str


@dataclass(frozen=True)
class CardForAuthorisation:
    """Card data passed to the gateway only; never stored, never logged (repr hides it)."""

    card_number: str = field(repr=False)
    cvc: str = field(repr=False)
    expiry_date: str
    cardholder_name: str
    card_brand: str
    address: BillingAddress | None = None


@dataclass(frozen=True, kw_only=True)
class PaymentMode:
    """How the charge is paid, as a provider with several merchant codes for one account needs
    it: Worldpay picks the set of credentials by it (connector.md §14.3). Keyword-only, so the
    requests below keep their own fields' positions."""

    #: ``WEB`` | ``MOTO_API`` | ``AGREEMENT``.
    authorisation_mode: str = "WEB"
    #: The charge sets up an agreement (Worldpay: the recurring customer-initiated merchant code).
    save_payment_instrument: bool = False


@dataclass(frozen=True)
class AuthorisationRequest(PaymentMode):
    charge_external_id: str
    gateway_transaction_id: str
    amount: int
    description: str
    card: CardForAuthorisation
    #: None when the stored map does not fit the provider (see ``gateways/credentials.py``).
    credentials: ProviderCredentials | None
    requires_3ds: bool = False
    #: Where a redirect-based 3DS step sends the payer back (Stripe's ``return_url``).
    return_url_3ds: str | None = None
    ip_address: str | None = None
    accept_header: str | None = None
    user_agent_header: str | None = None


@dataclass(frozen=True)
class AuthorisationResult:
    status: AuthorisationStatus
    gateway_transaction_id: str | None = None
    error_message: str | None = None
    #: For REQUIRES_3DS: what the payment pages need to send the user to the issuer.
    pa_request_3ds: str | None = None
    issuer_url_3ds: str | None = None
    md_3ds: str | None = None
    #: Recurring token returned on success (sandbox: {"token": <uuid>}).
    recurring_token: dict[str, str] | None = None
    #: For REJECTED: the provider's decline reason, mapped (``gateways/rejection.py``); it
    #: decides ``can_retry`` for agreement payments.
    rejection_reason: str | None = None


@dataclass(frozen=True)
class StoredInstrument:
    """An agreement's payment instrument as a user-not-present authorisation needs it: the
    gateway's recurring token and the displayable card details (never a card number)."""

    recurring_token: dict[str, str] = field(repr=False)
    card_brand: str | None
    first_digits: str | None
    last_digits: str | None
    expiry_date: str | None
    cardholder_name: str | None


@dataclass(frozen=True)
class UserNotPresentRequest:
    """An agreement payment: authorise ``amount`` with the stored instrument, no payer present."""

    charge_external_id: str
    gateway_transaction_id: str
    amount: int
    description: str
    instrument: StoredInstrument
    credentials: ProviderCredentials | None
    #: The agreement's id: providers that key stored credentials by agreement (Worldpay) use it.
    agreement_external_id: str | None = None


@dataclass(frozen=True)
class ThreeDsResult(PaymentMode):
    """The paying user's answer from the issuer page, as posted to ``/3ds``."""

    charge_external_id: str
    gateway_transaction_id: str | None
    pa_response: str | None
    credentials: ProviderCredentials | None
    #: What the payment pages say the issuer answered (AUTHORISED, DECLINED, ERROR, CANCELED), if known.
    auth_3ds_result: str | None = None
    amount: int = 0


@dataclass(frozen=True)
class GatewayOperation(PaymentMode):
    """Capture / cancel / query: identified by our charge and the provider's transaction id."""

    charge_external_id: str
    gateway_transaction_id: str | None
    amount: int
    credentials: ProviderCredentials | None
    #: Deterministic, so a retried call is recognised by the provider (``connector:capture:<id>``).
    idempotency_key: str


class CaptureStatus(StrEnum):
    COMPLETE = "COMPLETE"
    PENDING = "PENDING"


@dataclass(frozen=True)
class CaptureResult:
    status: CaptureStatus
    gateway_transaction_id: str | None = None
    #: What the provider kept, in pence (Stripe); None when it charges no per-payment fee.
    fee: int | None = None


class CancelStatus(StrEnum):
    CANCELLED = "CANCELLED"
    SUBMITTED = "SUBMITTED"


@dataclass(frozen=True)
class RefundRequest(PaymentMode):
    refund_external_id: str
    charge_external_id: str
    charge_gateway_transaction_id: str | None
    amount: int
    credentials: ProviderCredentials | None
    idempotency_key: str
    #: The charge's full amount (Stripe: what the connected account gets back is worked out from it).
    charge_amount: int = 0


class RefundStatus(StrEnum):
    COMPLETE = "COMPLETE"
    PENDING = "PENDING"


@dataclass(frozen=True)
class RefundResult:
    status: RefundStatus
    reference: str | None = None


class PaymentGateway(Protocol):
    """What every adapter implements. Failures raise :class:`GatewayError` subclasses."""

    name: str

    async def authorise(self, request: AuthorisationRequest) -> AuthorisationResult: ...

    async def authorise_3ds(self, result: ThreeDsResult) -> AuthorisationResult: ...

    async def authorise_user_not_present(self, request: UserNotPresentRequest) -> AuthorisationResult:
        """An agreement payment with the stored instrument (connector.md §11.3)."""
        ...

    async def capture(self, operation: GatewayOperation) -> CaptureResult: ...

    async def cancel(self, operation: GatewayOperation) -> CancelStatus: ...

    async def refund(self, request: RefundRequest) -> RefundResult: ...

    async def query(self, operation: GatewayOperation) -> AuthorisationStatus | None:
        """The provider's view of a payment, or None when the provider cannot be asked (sandbox).

        Raises :class:`GatewayOrderNotFound` when the provider has no such payment.
        """
        ...
