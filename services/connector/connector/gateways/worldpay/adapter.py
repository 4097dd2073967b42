"""The Worldpay adapter: ``PaymentGateway`` over Worldpay's XML order protocol (httpx, basic auth).

The order code is the charge's pre-assigned gateway transaction id. The merchant code and
the basic-auth user come from the charge's credential record (connector.md §14.3): the
one-off customer-initiated set for web and MOTO payments, the recurring customer-initiated
set when an agreement is being set up, the recurring merchant-initiated set for agreement
payments. Setting up an agreement asks Worldpay to keep the card (``createToken``) and keeps its
token and the scheme's transaction id as the instrument's recurring token; an agreement payment
is an order paid with that token (``TOKEN-SSL``, ``storedCredentials usage="USED"``), its
refusal's ISO8583 return code mapped to a decline reason (``gateways/rejection.py``). Captures and refunds are only *acknowledged* here (PENDING); Worldpay confirms them
by notification (§15.1).

Failures: a timeout is :class:`GatewayTimeout`, an HTTP status other than 200 or no answer
at all is :class:`GatewayUnavailable`, an error reply (or an unreadable / unsafe one) is a
generic :class:`GatewayError`. The request bodies carry the card number and are never logged.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import httpx

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
    PaymentMode,
    RefundRequest,
    RefundResult,
    RefundStatus,
    ThreeDsResult,
    UserNotPresentRequest,
)
from connector.gateways.credentials import ProviderCredentials, WorldpayCredentials, WorldpayRole
from connector.gateways.rejection import UNCATEGORISED
from connector.gateways.worldpay import xml
from pay_common.db.base import utc_now
from pay_common.logging import get_logger

logger = get_logger(__name__)

ONE_OFF = WorldpayRole.ONE_OFF_CUSTOMER_INITIATED
RECURRING_CUSTOMER = WorldpayRole.RECURRING_CUSTOMER_INITIATED
RECURRING_MERCHANT = WorldpayRole.RECURRING_MERCHANT_INITIATED
#: Worldpay's error code for an order it does not know (inquiry, modifications).
ORDER_NOT_FOUND_CODE = "5"
TIMEOUT_MESSAGE = "Gateway connection timeout error"
GENERIC_ERROR_MESSAGE = "There was an error authorising the transaction."

_AUTHORISATION_EVENTS = {
    "AUTHORISED": AuthorisationStatus.AUTHORISED,
    "REFUSED": AuthorisationStatus.REJECTED,
    "REFUSED_BY_BANK": AuthorisationStatus.REJECTED,
    "CANCELLED": AuthorisationStatus.CANCELLED,
    "ERROR": AuthorisationStatus.ERROR,
}
#: ``lastEvent`` of an inquiry → what the charge services need to know (connector.md §9.2, §9.3).
_QUERY_EVENTS = {
    **_AUTHORISATION_EVENTS,
    "SENT_FOR_AUTHORISATION": AuthorisationStatus.REQUIRES_3DS,
    "EXPIRED": AuthorisationStatus.CANCELLED,
    "CAPTURED": AuthorisationStatus.CAPTURED,
    "SETTLED": AuthorisationStatus.CAPTURED,
    "SETTLED_BY_MERCHANT": AuthorisationStatus.CAPTURED,
    "SENT_FOR_REFUND": AuthorisationStatus.CAPTURED,
    "REFUNDED": AuthorisationStatus.CAPTURED,
    "REFUNDED_BY_MERCHANT": AuthorisationStatus.CAPTURED,
}

#: ``ISO8583ReturnCode/@code`` of a refusal → decline reason; any other code is UNCATEGORISED.
REFUSAL_REASONS = {
    "5": "DO_NOT_HONOUR",
    "51": "INSUFFICIENT_FUNDS",
    "54": "EXPIRED_CARD",
    "43": "STOLEN_CARD",
}
#: The keys of a Worldpay instrument's recurring token.
PAYMENT_TOKEN_ID = "payment_token_id"
SCHEME_TRANSACTION_IDENTIFIER = "scheme_transaction_identifier"


def rejection_reason(refusal_code: str | None) -> str:
    """The decline reason of a refusal's ISO8583 return code (connector.md §11.2)."""
    return REFUSAL_REASONS.get((refusal_code or "").strip(), UNCATEGORISED)


@dataclass(frozen=True)
class MerchantCredentials:
    merchant_code: str
    username: str
    password: str = field(repr=False)


def credential_usage(mode: PaymentMode) -> WorldpayRole:
    """Which set of a Worldpay credential record a payment uses (connector.md §14.3)."""
    if mode.authorisation_mode.upper() == "AGREEMENT":
        return RECURRING_MERCHANT
    if mode.save_payment_instrument:
        return RECURRING_CUSTOMER
    return ONE_OFF


def merchant_credentials(credentials: ProviderCredentials | None, usage: WorldpayRole) -> MerchantCredentials:
    """The set ``usage`` needs; a GatewayError when it was never entered (or is not Worldpay's)."""
    entry = credentials.merchant(usage) if isinstance(credentials, WorldpayCredentials) else None
    if entry is None:
        raise GatewayError(f"Worldpay credentials for {usage} are not set.")
    return MerchantCredentials(entry.merchant_code, entry.username, entry.password.get_secret_value())


def _challenge(reply: xml.Reply) -> tuple[str, str, str | None] | None:
    """The 3DS challenge a reply asks for, 3DS1 or 3DS2: what the payment pages post to the
    issuer (payload, URL, MD); None when the reply asks for none."""
    if reply.pa_request and reply.issuer_url:
        return reply.pa_request, reply.issuer_url, None
    if reply.challenge_acs_url and reply.challenge_payload:
        # 3DS2: the ACS takes the CReq like a 3DS1 PaReq (posted by the payment pages).
        return reply.challenge_payload, reply.challenge_acs_url, reply.challenge_transaction_id
    return None


class WorldpayGateway:
    """Implements ``PaymentGateway``; one long-lived httpx client, per-operation read timeouts."""

    name = "worldpay"

    def __init__(
        self,
        client: httpx.AsyncClient,
        url: str,
        *,
        connect_timeout: float,
        authorise_timeout: float,
        capture_timeout: float,
        cancel_timeout: float,
        refund_timeout: float,
        inquiry_timeout: float,
    ) -> None:
        self._client = client
        self._url = url
        self._connect_timeout = connect_timeout
        self._timeouts = {
            "authorise": authorise_timeout,
            "capture": capture_timeout,
            "cancel": cancel_timeout,
            "refund": refund_timeout,
            "inquiry": inquiry_timeout,
        }

    async def _send(
        self, operation: str, merchant: MerchantCredentials, body: bytes, order_code: str
    ) -> bytes:
        timeout = httpx.Timeout(self._timeouts[operation], connect=self._connect_timeout)
        try:
            response = await self._client.post(
                self._url,
                content=body,
                auth=(merchant.username, merchant.password),
                headers={"Content-Type": "text/xml; charset=UTF-8"},
                timeout=timeout,
            )
        except httpx.TimeoutException:
            logger.warning("worldpay.timeout", operation=operation, order_code=order_code)
            raise GatewayTimeout(TIMEOUT_MESSAGE) from None
        except httpx.HTTPError as exc:
            logger.warning("worldpay.unreachable", operation=operation, error=type(exc).__name__)
            raise GatewayUnavailable(f"Worldpay could not be reached ({type(exc).__name__}).") from None
        if response.status_code != 200:
            logger.warning("worldpay.http_error", operation=operation, status_code=response.status_code)
            raise GatewayUnavailable(
                f"Unexpected HTTP status code {response.status_code} from gateway for {operation} request"
            )
        return response.content

    async def _reply(
        self, operation: str, merchant: MerchantCredentials, body: bytes, order_code: str
    ) -> xml.Reply:
        content = await self._send(operation, merchant, body, order_code)
        try:
            reply = xml.parse_reply(content)
        except xml.MalformedXml as exc:
            logger.warning("worldpay.unreadable_reply", operation=operation, error=type(exc).__name__)
            raise GatewayError("Unexpected response from Worldpay.") from None
        if reply.error_code is not None:
            logger.info(
                "worldpay.error_reply",
                operation=operation,
                order_code=order_code,
                error_code=reply.error_code,
                error_message=reply.error_message,
            )
        return reply

    @staticmethod
    def _authorisation_result(reply: xml.Reply, order_code: str) -> AuthorisationResult:
        result = WorldpayGateway._reply_result(reply, order_code)
        if result.status == AuthorisationStatus.REJECTED:
            return replace(result, rejection_reason=rejection_reason(reply.refusal_code))
        if result.status == AuthorisationStatus.AUTHORISED and reply.payment_token_id:
            token = {PAYMENT_TOKEN_ID: reply.payment_token_id}
            if reply.scheme_transaction_identifier:
                token[SCHEME_TRANSACTION_IDENTIFIER] = reply.scheme_transaction_identifier
            return replace(result, recurring_token=token)
        return result

    @staticmethod
    def _reply_result(reply: xml.Reply, order_code: str) -> AuthorisationResult:
        if reply.error_code is not None:
            return AuthorisationResult(
                AuthorisationStatus.ERROR,
                gateway_transaction_id=order_code,
                error_message=GENERIC_ERROR_MESSAGE,
            )
        challenge = _challenge(reply)
        if challenge is not None:
            payload, issuer_url, md = challenge
            return AuthorisationResult(
                AuthorisationStatus.REQUIRES_3DS,
                gateway_transaction_id=order_code,
                pa_request_3ds=payload,
                issuer_url_3ds=issuer_url,
                md_3ds=md,
            )
        status = _AUTHORISATION_EVENTS.get(reply.last_event or "", AuthorisationStatus.ERROR)
        return AuthorisationResult(
            status,
            gateway_transaction_id=order_code,
            error_message=GENERIC_ERROR_MESSAGE if status == AuthorisationStatus.ERROR else None,
        )

    async def authorise(self, request: AuthorisationRequest) -> AuthorisationResult:
        merchant = merchant_credentials(request.credentials, credential_usage(request))
        order_code = request.gateway_transaction_id
        body = xml.order_submit(
            merchant.merchant_code,
            order_code,
            description=request.description,
            amount=request.amount,
            card=request.card,
            session_id=request.charge_external_id,
            shopper_ip=request.ip_address,
            accept_header=request.accept_header,
            user_agent=request.user_agent_header,
            request_3ds=request.requires_3ds,
            token_reference=request.charge_external_id if request.save_payment_instrument else None,
        )
        reply = await self._reply("authorise", merchant, body, order_code)
        return self._authorisation_result(reply, order_code)

    async def authorise_user_not_present(self, request: UserNotPresentRequest) -> AuthorisationResult:
        """A merchant-initiated recurring order with the agreement's token (connector.md §11.3)."""
        token_id = request.instrument.recurring_token.get(PAYMENT_TOKEN_ID)
        if not token_id:
            raise GatewayError("The agreement's payment instrument has no Worldpay token.")
        merchant = merchant_credentials(request.credentials, RECURRING_MERCHANT)
        order_code = request.gateway_transaction_id
        body = xml.token_order_submit(
            merchant.merchant_code,
            order_code,
            description=request.description,
            amount=request.amount,
            payment_token_id=token_id,
            scheme_transaction_identifier=request.instrument.recurring_token.get(
                SCHEME_TRANSACTION_IDENTIFIER
            ),
        )
        reply = await self._reply("authorise", merchant, body, order_code)
        # A challenge is an error to the recurring service (no payer to answer it).
        return self._authorisation_result(reply, order_code)

    async def authorise_3ds(self, result: ThreeDsResult) -> AuthorisationResult:
        merchant = merchant_credentials(result.credentials, credential_usage(result))
        order_code = result.gateway_transaction_id or ""
        body = xml.three_ds_response(
            merchant.merchant_code,
            order_code,
            pa_response=result.pa_response,
            session_id=result.charge_external_id,
        )
        reply = await self._reply("authorise", merchant, body, order_code)
        return self._authorisation_result(reply, order_code)

    async def _modify(self, operation: str, op: GatewayOperation | RefundRequest, body_of: Any) -> xml.Reply:
        order_code = (
            op.gateway_transaction_id
            if isinstance(op, GatewayOperation)
            else op.charge_gateway_transaction_id
        ) or ""
        merchant = merchant_credentials(op.credentials, credential_usage(op))
        reply = await self._reply(
            operation, merchant, body_of(merchant.merchant_code, order_code), order_code
        )
        if reply.error_code is not None:
            if reply.error_code == ORDER_NOT_FOUND_CODE and operation == "inquiry":
                raise GatewayOrderNotFound(reply.error_message or "Order not found")
            raise GatewayError(f"Worldpay {operation} failed: error {reply.error_code}.")
        return reply

    async def capture(self, operation: GatewayOperation) -> CaptureResult:
        today = utc_now().date()
        await self._modify(
            "capture",
            operation,
            lambda merchant, order: xml.capture(merchant, order, amount=operation.amount, on=today),
        )
        return CaptureResult(CaptureStatus.PENDING, gateway_transaction_id=operation.gateway_transaction_id)

    async def cancel(self, operation: GatewayOperation) -> CancelStatus:
        await self._modify("cancel", operation, xml.cancel)
        return CancelStatus.CANCELLED

    async def refund(self, request: RefundRequest) -> RefundResult:
        await self._modify(
            "refund",
            request,
            lambda merchant, order: xml.refund(
                merchant, order, amount=request.amount, reference=request.refund_external_id
            ),
        )
        # Worldpay's notification names the refund by this reference (journalReference, §15.1).
        return RefundResult(RefundStatus.PENDING, reference=request.refund_external_id)

    async def query(self, operation: GatewayOperation) -> AuthorisationStatus | None:
        reply = await self._modify("inquiry", operation, xml.inquiry)
        return _QUERY_EVENTS.get(reply.last_event or "", AuthorisationStatus.ERROR)

    async def check_credentials(self, merchant: MerchantCredentials) -> bool:
        """Whether Worldpay accepts these credentials: an inquiry for an order that cannot exist.

        401 means invalid; a well-formed reply (normally "order not found") means valid; anything
        else (unreachable, timeout, another HTTP status, an unreadable reply) raises GatewayError.
        """
        order_code = "connector-credentials-check"
        try:
            response = await self._client.post(
                self._url,
                content=xml.inquiry(merchant.merchant_code, order_code),
                auth=(merchant.username, merchant.password),
                headers={"Content-Type": "text/xml; charset=UTF-8"},
                timeout=httpx.Timeout(self._timeouts["inquiry"], connect=self._connect_timeout),
            )
        except httpx.HTTPError as exc:
            raise GatewayUnavailable(f"Worldpay could not be reached ({type(exc).__name__}).") from None
        if response.status_code == 401:
            return False
        if response.status_code != 200:
            raise GatewayUnavailable(f"Unexpected HTTP status code {response.status_code} from gateway")
        try:
            xml.parse_reply(response.content)
        except xml.MalformedXml:
            raise GatewayError("Unexpected response from Worldpay.") from None
        return True
