"""The sandbox gateway: a deterministic fake provider driven by magic card numbers (connector.md §6).

Authorisation matches the *full* card number exactly. Capture, cancel (the void of an
authorisation) and refund always succeed. Unlike the original, the sandbox keeps a record of
what it did (:class:`~connector.gateways.sandbox.ledger.SandboxLedger`): ``query`` answers from
it, so crash recovery can ask what became of an authorisation, a capture or refund retried with
the same idempotency key is a replay, and tests can see every void. One number
the original sandbox lacks, ``4000000000003220``, asks for a 3DS challenge; the 3DS result
then passes when the payment pages send ``pa_response == "success"`` and is declined otherwise
(docs/decisions.md, "Sandbox 3DS").
"""

from __future__ import annotations

import asyncio

from connector.gateways.base import (
    AuthorisationRequest,
    AuthorisationResult,
    AuthorisationStatus,
    CancelStatus,
    CaptureResult,
    CaptureStatus,
    GatewayError,
    GatewayOperation,
    RefundRequest,
    RefundResult,
    RefundStatus,
    ThreeDsResult,
    UserNotPresentRequest,
)
from connector.gateways.rejection import DO_NOT_RETRY
from connector.gateways.sandbox.ledger import Entry, SandboxLedger
from pay_common.ids import new_uuid

AUTHORISED_CARDS = frozenset(
    {
        "4242424242424242",
        "4444333322221111",
        "4917610000000000003",
        "4000056655665556",
        "371449635398431",
        "3566002020360505",
        "6011000990139424",
        "36148900647913",
        "5105105105105100",
        "222100000000000",
        "4000000000000010",
        "4000160000000004",
        "4000020000000000",
        # corporate test cards
        "4988080000000000",
        "4111111111111111",
        "4293189100000008",
        "5101180000000007",
        # corporate prepaid debit test cards
        "4131840000000003",
        "4000180000000002",
        "5200828282828210",
        # disputed after capture (connector/disputes/service.py, SANDBOX_DISPUTE_CARDS)
        "4000000000000259",
        "4000000000002685",
    }
)
#: Declined, expired-card and CVC-error numbers: all ordinary rejections.
REJECTED_CARDS = frozenset({"4000000000000002", "4000000000000069", "4000000000000127"})
ERROR_CARD = "4000000000000119"
#: Our addition: the test-suite number for a 3DS challenge.
THREE_DS_CARD = "4000000000003220"


#: Agreement payments match the instrument's first 6 and last 4 digits (connector.md §6.2).
def _first6_last4(numbers: frozenset[str]) -> frozenset[tuple[str, str]]:
    return frozenset((number[:6], number[-4:]) for number in numbers)


#: Authorises a set-up payment, declines every agreement payment: "set-up works, later declined".
ALWAYS_DECLINED_FOR_AGREEMENTS = ("510510", "5100")
# A card set up through the 3DS challenge pays later agreement payments: no payer is there to be challenged.
AGREEMENT_AUTHORISED = _first6_last4(AUTHORISED_CARDS | {THREE_DS_CARD}) - {ALWAYS_DECLINED_FOR_AGREEMENTS}
AGREEMENT_REJECTED = _first6_last4(REJECTED_CARDS) | {ALWAYS_DECLINED_FOR_AGREEMENTS}
AGREEMENT_ERROR = _first6_last4(frozenset({ERROR_CARD}))

ERROR_MESSAGE = "This transaction could be not be processed."  # the typo is the original's
UNSUPPORTED_MESSAGE = "Unsupported card details."
#: pa_response value that makes the sandbox's 3DS step succeed; anything else declines.
THREE_DS_SUCCESS_PA_RESPONSE = "success"
SANDBOX_ISSUER_URL = "https://sandbox.pymnt.localdomain/3ds"


class SandboxGateway:
    """Implements ``PaymentGateway`` without any network; ``ledger`` records every call."""

    name = "sandbox"

    def __init__(self, ledger: SandboxLedger | None = None, *, latency: float = 0.0) -> None:
        self.ledger = ledger or SandboxLedger()
        #: Seconds each answer takes to come back *after* the sandbox acted, as over a real
        #: provider's network: a crash in that window leaves work done that the connector never
        #: heard of (what scripts/chaos.py wants to hit).
        self.latency = latency

    async def _answer_delay(self) -> None:
        if self.latency:
            await asyncio.sleep(self.latency)

    async def authorise(self, request: AuthorisationRequest) -> AuthorisationResult:
        try:
            result = self._authorise(request)
        except GatewayError:
            self.ledger.record(Entry("authorise", request.charge_external_id, "ERROR", amount=request.amount))
            raise
        self.ledger.record(
            Entry("authorise", request.charge_external_id, result.status.value, amount=request.amount)
        )
        await self._answer_delay()
        return result

    def _authorise(self, request: AuthorisationRequest) -> AuthorisationResult:
        number = request.card.card_number
        transaction_id = new_uuid()
        if number in AUTHORISED_CARDS:
            return AuthorisationResult(
                AuthorisationStatus.AUTHORISED,
                gateway_transaction_id=transaction_id,
                recurring_token={"token": new_uuid()},
            )
        if number in REJECTED_CARDS:
            return AuthorisationResult(
                AuthorisationStatus.REJECTED,
                gateway_transaction_id=transaction_id,
                rejection_reason=DO_NOT_RETRY,
            )
        if number == THREE_DS_CARD:
            return AuthorisationResult(
                AuthorisationStatus.REQUIRES_3DS,
                gateway_transaction_id=transaction_id,
                pa_request_3ds=f"sandbox-pa-request-{request.charge_external_id}",
                issuer_url_3ds=SANDBOX_ISSUER_URL,
                md_3ds=f"sandbox-md-{request.charge_external_id}",
            )
        if number == ERROR_CARD:
            raise GatewayError(ERROR_MESSAGE)
        raise GatewayError(UNSUPPORTED_MESSAGE)

    async def authorise_user_not_present(self, request: UserNotPresentRequest) -> AuthorisationResult:
        """An agreement payment: the instrument's first 6 and last 4 digits pick the answer."""
        digits = (request.instrument.first_digits or "", request.instrument.last_digits or "")
        if not request.instrument.recurring_token.get("token"):
            outcome = "ERROR"
        elif digits in AGREEMENT_AUTHORISED:
            outcome = AuthorisationStatus.AUTHORISED.value
        elif digits in AGREEMENT_REJECTED:
            outcome = AuthorisationStatus.REJECTED.value
        else:
            outcome = "ERROR"
        self.ledger.record(Entry("authorise", request.charge_external_id, outcome, amount=request.amount))
        await self._answer_delay()
        if outcome == "ERROR":
            raise GatewayError(ERROR_MESSAGE if digits in AGREEMENT_ERROR else UNSUPPORTED_MESSAGE)
        if outcome == AuthorisationStatus.REJECTED.value:
            return AuthorisationResult(
                AuthorisationStatus.REJECTED, gateway_transaction_id=new_uuid(), rejection_reason=DO_NOT_RETRY
            )
        return AuthorisationResult(AuthorisationStatus.AUTHORISED, gateway_transaction_id=new_uuid())

    async def authorise_3ds(self, result: ThreeDsResult) -> AuthorisationResult:
        status = (
            AuthorisationStatus.AUTHORISED
            if result.pa_response == THREE_DS_SUCCESS_PA_RESPONSE
            else AuthorisationStatus.REJECTED
        )
        self.ledger.record(Entry("authorise_3ds", result.charge_external_id, status.value))
        return AuthorisationResult(status, gateway_transaction_id=result.gateway_transaction_id)

    async def capture(self, operation: GatewayOperation) -> CaptureResult:
        self._record_operation("capture", operation, "COMPLETE")
        await self._answer_delay()
        return CaptureResult(CaptureStatus.COMPLETE, gateway_transaction_id=operation.gateway_transaction_id)

    async def cancel(self, operation: GatewayOperation) -> CancelStatus:
        self._record_operation("cancel", operation, CancelStatus.CANCELLED.value)
        await self._answer_delay()
        return CancelStatus.CANCELLED

    async def refund(self, request: RefundRequest) -> RefundResult:
        self.ledger.record(
            Entry(
                "refund",
                request.charge_external_id,
                RefundStatus.COMPLETE.value,
                key=request.idempotency_key,
                amount=request.amount,
            )
        )
        await self._answer_delay()
        return RefundResult(RefundStatus.COMPLETE, reference=new_uuid())

    async def query(self, operation: GatewayOperation) -> AuthorisationStatus | None:
        """What the sandbox did with the charge's authorisation; None when it never saw it."""
        status = self.ledger.status_of(operation.charge_external_id)
        return None if status is None else AuthorisationStatus(status)

    def _record_operation(self, op: str, operation: GatewayOperation, outcome: str) -> None:
        self.ledger.record(
            Entry(
                op,
                operation.charge_external_id,
                outcome,
                key=operation.idempotency_key,
                amount=operation.amount,
            )
        )
