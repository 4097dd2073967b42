"""Payment operations: call connector, translate its answer (publicapi.md §e, §g, §h)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager
from dataclasses import dataclass

from pay_common.logging import get_logger
from publicapi.connector_client.client import ConnectorClient
from publicapi.connector_client.errors import ConnectorUnavailable
from publicapi.connector_client.schemas import ConnectorResponse, JsonObject
from publicapi.errors import NOT_FOUND, SUPPORT_URL, PublicApiError, downstream_error, not_found
from publicapi.payments.presenter import present_events, present_payment

logger = get_logger(__name__)

AMOUNT_DOCS = "https://docs.payments.service.gov.uk/making_payments/#amount"

#: Connector error identifier → (status, code, description, field) for create payment and
#: telephone notifications. ``None`` as description means "connector's first message".
CREATE_ERRORS: dict[str, tuple[int, str, str | None, str | None]] = {
    "NON_HTTPS_RETURN_URL_NOT_ALLOWED_FOR_A_LIVE_ACCOUNT": (
        422,
        "P0920",
        "Invalid attribute value: return_url. Must begin with https:// for a live gateway account",
        "return_url",
    ),
    "ZERO_AMOUNT_NOT_ALLOWED": (
        422,
        "P0102",
        f"Invalid attribute value: amount. Must be greater than or equal to 1. Refer to {AMOUNT_DOCS}",
        "amount",
    ),
    "AMOUNT_BELOW_MINIMUM": (
        422,
        "P0102",
        f"Invalid attribute value: amount. Must be greater than or equal to 30. Refer to {AMOUNT_DOCS}",
        "amount",
    ),
    "MOTO_NOT_ALLOWED": (
        422,
        "P0196",
        "MOTO payments are not enabled for this account. Please contact support if you would like to "
        f"process MOTO payments - {SUPPORT_URL} .",
        None,
    ),
    "ACCOUNT_DISABLED": (
        403,
        "P0941",
        "GOV.UK Pay has disabled payment and refund creation on this account. Contact support with "
        f"your error code - {SUPPORT_URL} .",
        None,
    ),
    "TELEPHONE_PAYMENT_NOTIFICATIONS_NOT_ALLOWED": (
        403,
        "P0930",
        f"Access to this resource is not enabled for this account. Contact support with your error code - {SUPPORT_URL} .",
        None,
    ),
    "ACCOUNT_NOT_LINKED_WITH_PSP": (
        403,
        "P0940",
        "Account is not fully configured. Please refer to documentation to setup your account or contact "
        f"support with your error code - {SUPPORT_URL} .",
        None,
    ),
    "AUTHORISATION_API_NOT_ALLOWED": (
        422,
        "P0195",
        "Using authorisation_mode of moto_api is not allowed for this account",
        None,
    ),
    "AGREEMENT_NOT_FOUND": (
        400,
        "P0102",
        "Invalid attribute value: agreement_id. Agreement does not exist",
        "agreement_id",
    ),
    "AGREEMENT_NOT_ACTIVE": (
        400,
        "P0102",
        "Invalid attribute value: agreement_id. Agreement must be active",
        "agreement_id",
    ),
    "MISSING_MANDATORY_ATTRIBUTE": (400, "P0101", None, None),
    "UNEXPECTED_ATTRIBUTE": (400, "P0104", None, None),
    "INCORRECT_AUTHORISATION_MODE_FOR_SAVE_PAYMENT_INSTRUMENT_TO_AGREEMENT": (
        400,
        "P0104",
        "Unexpected attribute: set_up_agreement",
        None,
    ),
    "INVALID_ATTRIBUTE_VALUE": (422, "P0102", None, None),
    "RECURRING_CARD_PAYMENTS_NOT_ALLOWED": (
        422,
        "P0942",
        "Recurring card payments are currently disabled for this service. Contact support with your "
        f"error code - {SUPPORT_URL}",
        None,
    ),
    "IDEMPOTENCY_KEY_USED": (
        409,
        "P0191",
        "The `Idempotency-Key` you sent in the request header has already been used to create a payment.",
        None,
    ),
    "CARD_NUMBER_IN_PAYMENT_LINK_REFERENCE_REJECTED": (400, "P0105", None, None),
}

ACCOUNT_ERROR = f"There is an error with this account. Contact support with your error code - {SUPPORT_URL} ."


def unexpected(response: ConnectorResponse, code: str) -> PublicApiError:
    """A connector answer this operation has no public error for: the documented ``P0x98`` (500),
    logged with what connector said, so an operator can tell which request needs a mapping."""
    logger.warning(
        "publicapi.connector_answer_unmapped",
        code=code,
        connector_status=response.status_code,
        error_identifier=response.error().error_identifier if response.status_code >= 400 else None,
    )
    return downstream_error(code)


@asynccontextmanager
async def downstream(code: str) -> AsyncIterator[None]:
    """Connector unreachable, timed out or unreadable → the operation's ``P0x98`` (500)."""
    try:
        yield
    except ConnectorUnavailable as exc:
        raise downstream_error(code) from exc


async def fetch_object(
    call: Awaitable[ConnectorResponse],
    *,
    error_code: str,
    not_found_code: str,
    not_found_description: str = NOT_FOUND,
) -> JsonObject:
    """The JSON object connector answers ``call`` with (200): a 404 is ``not_found_code``; no answer,
    an unreadable one or any other status is ``error_code`` (500)."""
    async with downstream(error_code):
        response = await call
        if response.status_code == 404:
            raise not_found(not_found_code, not_found_description)
        if response.status_code != 200:
            raise unexpected(response, error_code)
        return response.json_object()


def create_error(response: ConnectorResponse) -> PublicApiError:
    """The public error for a failed create (payment or telephone notification), §e."""
    error = response.error()
    if response.status_code == 404:
        if error.error_identifier == "AGREEMENT_NOT_FOUND":
            return PublicApiError(
                "P0103",
                "Invalid attribute value: set_up_agreement. Agreement ID does not exist",
                status_code=400,
                field="set_up_agreement",
            )
        return PublicApiError("P0199", ACCOUNT_ERROR, status_code=500)
    mapping = CREATE_ERRORS.get(error.error_identifier)
    if mapping is None:
        return unexpected(response, "P0198")
    status, code, description, field = mapping
    text = description if description is not None else error.first_message
    if text is None:
        # The original quotes connector's message; with none to quote it fails with P0198.
        return downstream_error("P0198")
    return PublicApiError(code, text, status_code=status, field=field)


@dataclass(frozen=True)
class CreatedPayment:
    payment: JsonObject
    created: bool  # False for an idempotent replay (connector 200)


async def create_payment(
    connector: ConnectorClient,
    account_id: str,
    body: JsonObject,
    *,
    idempotency_key: str | None,
    base_url: str,
) -> CreatedPayment:
    async with downstream("P0198"):
        response = await connector.create_charge(account_id, body, idempotency_key=idempotency_key)
        if response.status_code not in (200, 201):
            raise create_error(response)
        charge = response.json_object()
    return CreatedPayment(present_payment(charge, base_url), created=response.status_code == 201)


async def get_payment(
    connector: ConnectorClient, account_id: str, payment_id: str, *, base_url: str
) -> JsonObject:
    charge = await fetch_object(
        connector.get_charge(account_id, payment_id), error_code="P0298", not_found_code="P0200"
    )
    return present_payment(charge, base_url)


async def get_payment_events(
    connector: ConnectorClient, account_id: str, payment_id: str, *, base_url: str
) -> JsonObject:
    events = await fetch_object(
        connector.get_charge_events(account_id, payment_id), error_code="P0398", not_found_code="P0300"
    )
    return present_events(events, payment_id, base_url)


def _status_error(
    response: ConnectorResponse, codes: dict[int, tuple[str, str]], fallback: str
) -> PublicApiError:
    mapped = codes.get(response.status_code)
    if mapped is None:
        return unexpected(response, fallback)
    code, description = mapped
    return PublicApiError(code, description, status_code=response.status_code)


CANCEL_ERRORS = {
    404: ("P0500", "Not found"),
    400: ("P0501", "Cancellation of payment failed"),
    409: ("P0502", "Cancellation of payment failed"),
}
CAPTURE_ERRORS = {
    404: ("P1000", "Not found"),
    400: ("P1001", "Capture of payment failed"),
    409: ("P1003", "Payment cannot be captured"),
}


async def cancel_payment(connector: ConnectorClient, account_id: str, payment_id: str) -> None:
    async with downstream("P0598"):
        response = await connector.cancel_charge(account_id, payment_id)
    if response.status_code != 204:
        raise _status_error(response, CANCEL_ERRORS, "P0598")


async def capture_payment(connector: ConnectorClient, account_id: str, payment_id: str) -> None:
    async with downstream("P1098"):
        response = await connector.capture_charge(account_id, payment_id)
    if response.status_code != 204:
        raise _status_error(response, CAPTURE_ERRORS, "P1098")
