"""The Stripe adapter: ``PaymentGateway`` on the official ``stripe`` library (payment intents).

Every charge is a PaymentIntent with manual capture, made on our platform account *on behalf
of* the service's connected account (``credentials.stripe_account_id``, connector.md §14.3)
and grouped by the charge's external id (``transfer_group``). Capturing pays the service:
the intent is captured, then the amount less Pay's fee is transferred to the connected
account. Refunding takes the money back: the refund is made on the platform, then the same
amount is transferred from the connected account to the platform. Stripe confirms all of
these at once (COMPLETE); no webhook is needed for captures or refunds (§15.2).

3DS: confirming an intent whose card needs authentication answers ``requires_action`` with a
``redirect_to_url``; the payment pages send the payer there, Stripe sends them back to
``return_url``, and ``authorise_3ds`` reads the intent again (or the capturable-updated
webhook completes the charge first).

Agreements: a set-up payment's intent names a Customer made for it (on the platform, where the
intents are) and ``setup_future_usage="off_session"``, so Stripe keeps the card's payment method
for that customer; the instrument's recurring token is ``{"customer_id", "payment_method_id"}``.
An agreement payment is an intent with both, ``off_session`` and confirmed at once; a decline's
``decline_code`` is mapped to a decline reason (``gateways/rejection.py``).

Every mutating call carries an idempotency key derived from our ids, so a retry after a
crash or a timeout cannot charge, capture or refund twice. Card data goes to Stripe only:
the ``stripe`` logger is held at INFO because its DEBUG lines print request bodies.
"""

from __future__ import annotations

import logging
import math
from typing import Any

import httpx
import stripe

from connector.gateways.base import (
    AuthorisationRequest,
    AuthorisationResult,
    AuthorisationStatus,
    CancelStatus,
    CaptureResult,
    CaptureStatus,
    GatewayError,
    GatewayOperation,
    GatewayOrderNotFound,
    GatewayTimeout,
    GatewayUnavailable,
    RefundRequest,
    RefundResult,
    RefundStatus,
    ThreeDsResult,
    UserNotPresentRequest,
)
from connector.gateways.credentials import ProviderCredentials, StripeCredentials
from connector.gateways.rejection import UNCATEGORISED
from pay_common.logging import get_logger

logger = get_logger(__name__)
# The library's DEBUG lines carry the encoded request body (card number and CVC): never emit them.
logging.getLogger("stripe").setLevel(logging.INFO)

CURRENCY = "gbp"
GENERIC_ERROR_MESSAGE = "There was an error authorising the transaction."

#: PaymentIntent status → what it means for the charge (connector.md §8.2, §9.2, §9.3).
_INTENT_STATUS = {
    "requires_capture": AuthorisationStatus.AUTHORISED,
    "requires_action": AuthorisationStatus.REQUIRES_3DS,
    "requires_confirmation": AuthorisationStatus.REQUIRES_3DS,
    "processing": AuthorisationStatus.REQUIRES_3DS,
    "requires_payment_method": AuthorisationStatus.REJECTED,
    "canceled": AuthorisationStatus.CANCELLED,
    "succeeded": AuthorisationStatus.CAPTURED,
}

#: A card error's ``decline_code`` → decline reason; any other code is UNCATEGORISED.
DECLINE_REASONS = {
    "insufficient_funds": "INSUFFICIENT_FUNDS",
    "expired_card": "EXPIRED_CARD",
    "stolen_card": "STOLEN_CARD",
    "lost_card": "LOST_CARD",
    "do_not_honor": "DO_NOT_HONOUR",
    "generic_decline": "GENERIC_DECLINE",
    #: An off-session payment the issuer wants authenticated: the payer must come back.
    "authentication_required": "AUTHENTICATION_REQUESTED",
}
#: The keys of a Stripe instrument's recurring token.
CUSTOMER_ID = "customer_id"
PAYMENT_METHOD_ID = "payment_method_id"


def rejection_reason(decline_code: str | None) -> str:
    """The decline reason of a card error's ``decline_code`` (connector.md §11.2)."""
    return DECLINE_REASONS.get(decline_code or "", UNCATEGORISED)


def _declined(exc: stripe.CardError) -> AuthorisationResult:
    """A card error as a rejection: its decline reason, and the intent it left behind, if named."""
    body: Any = exc.json_body or {}
    error: Any = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        error = {}
    intent = error.get("payment_intent")
    intent_id = intent.get("id") if isinstance(intent, dict) else None
    return AuthorisationResult(
        AuthorisationStatus.REJECTED,
        gateway_transaction_id=intent_id if isinstance(intent_id, str) else None,
        rejection_reason=rejection_reason(error.get("decline_code")),
    )


def _id_of(value: Any) -> str | None:
    """An expandable field's id (Stripe answers the id, or the object when expanded)."""
    if isinstance(value, str):
        return value
    found = getattr(value, "id", None)
    return found if isinstance(found, str) else None


def _recurring_token(intent: Any) -> dict[str, str] | None:
    """The token of an authorised set-up intent: its customer and the payment method kept for it."""
    if getattr(intent, "setup_future_usage", None) != "off_session":
        return None
    customer = _id_of(getattr(intent, "customer", None))
    method = _id_of(getattr(intent, "payment_method", None))
    if not customer or not method:
        return None
    return {CUSTOMER_ID: customer, PAYMENT_METHOD_ID: method}


class _HTTPXClient(stripe.HTTPXClient):
    """The library's httpx client, sending the encoded body as ``content``.

    Its ``data=<bytes>`` form is deprecated by httpx (a DeprecationWarning per request, which
    the library would report as a connection error where warnings are errors).
    """

    def _get_request_args_kwargs(  # type: ignore[no-untyped-def]
        self, method: str, url: str, headers: Any, post_data
    ) -> list[Any]:
        args, kwargs = super()._get_request_args_kwargs(method, url, headers, post_data)
        body = kwargs.pop("data", None)
        if body:
            kwargs["content"] = body
        return [args, kwargs]


def transaction_fee(amount: int, percentage: float) -> int:
    """Pay's fee in pence, rounded up (never a fraction of a penny in the service's favour)."""
    return math.ceil(amount * percentage / 100)


def _connected_account(credentials: ProviderCredentials | None) -> str:
    if not isinstance(credentials, StripeCredentials):
        raise GatewayError("Stripe credentials have no stripe_account_id.")
    return credentials.stripe_account_id


def _expiry(expiry_date: str) -> tuple[int, int]:
    month, _, year = expiry_date.partition("/")
    return int(month), 2000 + int(year) if len(year) == 2 else int(year)


def _translate(exc: stripe.StripeError, operation: str) -> GatewayError:
    """A library error as one of ours; the message never includes what we sent."""
    if isinstance(exc, stripe.APIConnectionError):
        logger.warning("stripe.unreachable", operation=operation, cause=type(exc.__cause__).__name__)
        if isinstance(exc.__cause__, httpx.TimeoutException):
            return GatewayTimeout("Gateway connection timeout error")
        return GatewayUnavailable(f"Stripe could not be reached for {operation}.")
    status = exc.http_status or 0
    code = getattr(exc, "code", None)
    logger.info("stripe.error_reply", operation=operation, http_status=status, code=code)
    if status == 404:
        return GatewayOrderNotFound(f"Stripe has no such payment ({operation}).")
    if status >= 500 or status in (401, 403, 429):
        return GatewayUnavailable(
            f"Unexpected HTTP status code {status} from gateway for {operation} request"
        )
    return GatewayError(f"Stripe refused the {operation} request ({code or status}).")


class StripeGateway:
    """Implements ``PaymentGateway``; one ``StripeClient`` with its own httpx-based HTTP client."""

    name = "stripe"

    def __init__(
        self,
        *,
        api_key: str,
        api_base: str,
        timeout: float,
        platform_account_id: str,
        fee_percentage: float,
    ) -> None:
        self._http = _HTTPXClient(timeout=timeout)
        self._client = stripe.StripeClient(
            api_key,
            base_addresses={"api": api_base},
            http_client=self._http,
            max_network_retries=0,
        )
        self._platform_account_id = platform_account_id
        self._fee_percentage = fee_percentage

    async def close(self) -> None:
        await self._http.close_async()  # type: ignore[no-untyped-call]

    @staticmethod
    def _intent_result(intent: Any) -> AuthorisationResult:
        status = _INTENT_STATUS.get(intent.status, AuthorisationStatus.ERROR)
        if status == AuthorisationStatus.CAPTURED:  # cannot happen with manual capture
            status = AuthorisationStatus.AUTHORISED
        issuer_url = None
        if status == AuthorisationStatus.REQUIRES_3DS:
            next_action = intent.next_action.to_dict() if intent.next_action else {}
            redirect = next_action.get("redirect_to_url") or {}
            issuer_url = redirect.get("url")
            if not issuer_url:
                status = AuthorisationStatus.ERROR
        return AuthorisationResult(
            status,
            gateway_transaction_id=intent.id,
            issuer_url_3ds=issuer_url,
            error_message=GENERIC_ERROR_MESSAGE if status == AuthorisationStatus.ERROR else None,
            recurring_token=_recurring_token(intent) if status == AuthorisationStatus.AUTHORISED else None,
        )

    async def authorise(self, request: AuthorisationRequest) -> AuthorisationResult:
        account = _connected_account(request.credentials)
        month, year = _expiry(request.card.expiry_date)
        billing: dict[str, Any] = {"name": request.card.cardholder_name}
        if request.card.address is not None:
            address = request.card.address
            billing["address"] = {
                "line1": address.line1,
                "line2": address.line2 or "",
                "postal_code": address.postcode,
                "city": address.city,
                "country": address.country,
            }
        key = request.charge_external_id
        try:
            method = await self._client.v1.payment_methods.create_async(
                {
                    "type": "card",
                    "card": {
                        "number": request.card.card_number,
                        "exp_month": month,
                        "exp_year": year,
                        "cvc": request.card.cvc,
                    },
                    "billing_details": billing,
                },  # type: ignore[arg-type]
                {"idempotency_key": f"connector:payment-method:{key}"},
            )
            params: dict[str, Any] = {
                "amount": request.amount,
                "currency": CURRENCY,
                "payment_method": method.id,
                "confirm": True,
                "capture_method": "manual",
                "description": request.description,
                "on_behalf_of": account,
                "transfer_group": request.charge_external_id,
                "metadata": {"govuk_pay_transaction_external_id": request.charge_external_id},
            }
            if request.return_url_3ds:
                params["return_url"] = request.return_url_3ds
            if request.save_payment_instrument:
                # Setting up an agreement: Stripe keeps the payment method for a customer of its own.
                customer = await self._client.v1.customers.create_async(
                    {
                        "name": request.card.cardholder_name,
                        "description": request.description,
                        "metadata": {
                            "govuk_pay_transaction_external_id": request.charge_external_id,
                            "connected_account": account,
                        },
                    },
                    {"idempotency_key": f"connector:customer:{key}"},
                )
                params["customer"] = customer.id
                params["setup_future_usage"] = "off_session"
            intent = await self._client.v1.payment_intents.create_async(
                params,  # type: ignore[arg-type]
                {"idempotency_key": f"connector:authorise:{key}"},
            )
        except stripe.CardError as exc:
            logger.info("stripe.card_declined", charge_external_id=key, code=exc.code)
            return AuthorisationResult(AuthorisationStatus.REJECTED)
        except stripe.StripeError as exc:
            raise _translate(exc, "authorise") from None
        return self._intent_result(intent)

    async def authorise_user_not_present(self, request: UserNotPresentRequest) -> AuthorisationResult:
        """An off-session intent with the agreement's customer and payment method (§11.3)."""
        customer = request.instrument.recurring_token.get(CUSTOMER_ID)
        method = request.instrument.recurring_token.get(PAYMENT_METHOD_ID)
        if not customer or not method:
            raise GatewayError(
                "The agreement's payment instrument has no Stripe customer and payment method."
            )
        account = _connected_account(request.credentials)
        key = request.charge_external_id
        try:
            intent = await self._client.v1.payment_intents.create_async(
                {
                    "amount": request.amount,
                    "currency": CURRENCY,
                    "customer": customer,
                    "payment_method": method,
                    "off_session": True,
                    "confirm": True,
                    "capture_method": "manual",
                    "description": request.description,
                    "on_behalf_of": account,
                    "transfer_group": key,
                    "metadata": {"govuk_pay_transaction_external_id": key},
                },
                {"idempotency_key": f"connector:authorise:{key}"},
            )
        except stripe.CardError as exc:
            declined = _declined(exc)
            logger.info(
                "stripe.card_declined",
                charge_external_id=key,
                code=exc.code,
                rejection_reason=declined.rejection_reason,
            )
            return declined
        except stripe.StripeError as exc:
            raise _translate(exc, "authorise") from None
        # An intent still asking for authentication is an error to the recurring service (no payer).
        return self._intent_result(intent)

    async def authorise_3ds(self, result: ThreeDsResult) -> AuthorisationResult:
        intent = await self._retrieve(result.gateway_transaction_id, "authorise_3ds")
        return self._intent_result(intent)

    async def _retrieve(self, intent_id: str | None, operation: str) -> Any:
        if not intent_id or not intent_id.startswith("pi_"):
            raise GatewayOrderNotFound("No Stripe payment intent for this charge.")
        try:
            return await self._client.v1.payment_intents.retrieve_async(intent_id)
        except stripe.StripeError as exc:
            raise _translate(exc, operation) from None

    async def capture(self, operation: GatewayOperation) -> CaptureResult:
        account = _connected_account(operation.credentials)
        intent_id = operation.gateway_transaction_id or ""
        fee = transaction_fee(operation.amount, self._fee_percentage)
        try:
            intent = await self._client.v1.payment_intents.capture_async(
                intent_id, options={"idempotency_key": operation.idempotency_key}
            )
            await self._client.v1.transfers.create_async(
                {
                    "amount": operation.amount - fee,
                    "currency": CURRENCY,
                    "destination": account,
                    "transfer_group": operation.charge_external_id,
                    "metadata": {
                        "stripe_charge_id": str(intent.latest_charge or ""),
                        "govuk_pay_transaction_external_id": operation.charge_external_id,
                    },
                },
                {"idempotency_key": f"{operation.idempotency_key}:transfer"},
            )
        except stripe.StripeError as exc:
            raise _translate(exc, "capture") from None
        return CaptureResult(CaptureStatus.COMPLETE, gateway_transaction_id=intent_id, fee=fee)

    async def cancel(self, operation: GatewayOperation) -> CancelStatus:
        try:
            await self._client.v1.payment_intents.cancel_async(
                operation.gateway_transaction_id or "", options={"idempotency_key": operation.idempotency_key}
            )
        except stripe.StripeError as exc:
            raise _translate(exc, "cancel") from None
        return CancelStatus.CANCELLED

    async def refund(self, request: RefundRequest) -> RefundResult:
        account = _connected_account(request.credentials)
        try:
            refund = await self._client.v1.refunds.create_async(
                {"payment_intent": request.charge_gateway_transaction_id or "", "amount": request.amount},
                {"idempotency_key": request.idempotency_key},
            )
            # The service paid for the refund: move the money back from its account to ours.
            await self._client.v1.transfers.create_async(
                {
                    "amount": request.amount,
                    "currency": CURRENCY,
                    "destination": self._platform_account_id,
                    "transfer_group": request.charge_external_id,
                    "metadata": {
                        "stripe_refund_id": refund.id,
                        "govuk_pay_transaction_external_id": request.charge_external_id,
                    },
                },
                {"idempotency_key": f"{request.idempotency_key}:transfer", "stripe_account": account},
            )
        except stripe.StripeError as exc:
            raise _translate(exc, "refund") from None
        return RefundResult(RefundStatus.COMPLETE, reference=refund.id)

    async def query(self, operation: GatewayOperation) -> AuthorisationStatus | None:
        intent = await self._retrieve(operation.gateway_transaction_id, "query")
        return _INTENT_STATUS.get(intent.status, AuthorisationStatus.ERROR)
