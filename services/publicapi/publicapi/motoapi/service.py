"""``POST /v1/auth``: forward the card details to connector and translate its answer (publicapi.md §e)."""

from __future__ import annotations

from publicapi.connector_client.client import ConnectorClient
from publicapi.connector_client.schemas import ConnectorResponse, JsonObject
from publicapi.errors import PublicApiError, downstream_error
from publicapi.payments.service import downstream

AUTHORISATION_ERROR = "There was an error authorising the payment"

#: Connector error identifier (whatever the status) → (status, code, description); ``None`` as
#: description means "connector's first message".
AUTH_ERRORS: dict[str, tuple[int, str, str | None]] = {
    "CARD_NUMBER_REJECTED": (402, "P0010", None),
    "AUTHORISATION_REJECTED": (402, "P0010", None),
    "AUTHORISATION_ERROR": (500, "P0050", AUTHORISATION_ERROR),
    "AUTHORISATION_TIMEOUT": (500, "P0050", AUTHORISATION_ERROR),
    "ONE_TIME_TOKEN_ALREADY_USED": (400, "P1212", None),
    "ONE_TIME_TOKEN_INVALID": (400, "P1211", None),
    "INVALID_ATTRIBUTE_VALUE": (422, "P0102", None),
}


def authorisation_error(response: ConnectorResponse) -> PublicApiError:
    error = response.error()
    mapping = AUTH_ERRORS.get(error.error_identifier)
    if mapping is None:
        return downstream_error("P0198")
    status, code, description = mapping
    text = description if description is not None else error.first_message
    if text is None:
        return downstream_error("P0198")
    return PublicApiError(code, text, status_code=status)


async def authorise(connector: ConnectorClient, body: JsonObject) -> None:
    """Returns once connector has authorised the payment (its 204)."""
    async with downstream("P0198"):
        response = await connector.authorise_moto_charge(body)
    if response.status_code != 204:
        raise authorisation_error(response)
