"""Refund operations on one payment (publicapi.md §d.3, §e, §f.3, §h)."""

from __future__ import annotations

from publicapi.connector_client.client import ConnectorClient
from publicapi.connector_client.schemas import ConnectorResponse, JsonObject
from publicapi.errors import SUPPORT_URL, PublicApiError, downstream_error, not_found
from publicapi.payments import service as payments
from publicapi.payments.presenter import get_link, payment_url
from publicapi.refunds.schemas import RefundRequest

ACCOUNT_DISABLED = (
    "GOV.UK Pay has disabled payment and refund creation on this account. Contact support with "
    f"your error code - {SUPPORT_URL} ."
)


def refund_url(base_url: str, payment_id: str, refund_id: str) -> str:
    return f"{payment_url(base_url, payment_id)}/refunds/{refund_id}"


def present_refund(
    refund: JsonObject, payment_id: str, base_url: str, *, with_settlement: bool = True
) -> JsonObject:
    refund_id = str(refund.get("refund_id"))
    view: JsonObject = {
        "refund_id": refund_id,
        "created_date": refund.get("created_date"),
        "amount": refund.get("amount"),
        "status": refund.get("status"),
    }
    if with_settlement:
        # Connector knows nothing of settlement (ledger does): an empty object, as the original.
        settlement = refund.get("settlement_summary")
        view["settlement_summary"] = settlement if isinstance(settlement, dict) else {}
    view["_links"] = {
        "self": get_link(refund_url(base_url, payment_id, refund_id)),
        "payment": get_link(payment_url(base_url, payment_id)),
    }
    return {key: value for key, value in view.items() if value is not None}


def _create_refund_error(response: ConnectorResponse) -> PublicApiError:
    if response.status_code == 404:
        return not_found("P0600")
    error = response.error()
    identifier = error.error_identifier
    if identifier == "ACCOUNT_DISABLED":
        return PublicApiError("P0941", ACCOUNT_DISABLED, status_code=403)
    if identifier == "REFUND_NOT_AVAILABLE" and error.reason:
        return PublicApiError(
            "P0603",
            f"The payment is not available for refund. Payment refund status: {error.reason}",
            status_code=400,
        )
    if identifier == "REFUND_NOT_AVAILABLE_DUE_TO_DISPUTE":
        return PublicApiError("P0603", "The payment is disputed and cannot be refunded", status_code=400)
    if identifier == "REFUND_AMOUNT_AVAILABLE_MISMATCH":
        return PublicApiError("P0604", "Refund amount available mismatch.", status_code=412)
    return downstream_error("P0698")


async def _amount_available(
    connector: ConnectorClient, account_id: str, payment_id: str, base_url: str
) -> int:
    # Without the client's figure, the original reads the payment first (its errors surface
    # as get-payment errors, P0200 / P0298).
    payment = await payments.get_payment(connector, account_id, payment_id, base_url=base_url)
    summary = payment.get("refund_summary")
    available = summary.get("amount_available") if isinstance(summary, dict) else None
    return available if isinstance(available, int) else 0


async def create_refund(
    connector: ConnectorClient,
    account_id: str,
    payment_id: str,
    request: RefundRequest,
    *,
    base_url: str,
) -> JsonObject:
    available = request.refund_amount_available
    if available is None:
        available = await _amount_available(connector, account_id, payment_id, base_url)
    body = {"amount": request.amount, "refund_amount_available": available}
    async with payments.downstream("P0698"):
        response = await connector.create_refund(account_id, payment_id, body)
        if response.status_code not in (200, 201, 202):
            raise _create_refund_error(response)
        refund = response.json_object()
    return present_refund(refund, payment_id, base_url, with_settlement=False)


async def get_refund(
    connector: ConnectorClient, account_id: str, payment_id: str, refund_id: str, *, base_url: str
) -> JsonObject:
    refund = await payments.fetch_object(
        connector.get_refund(account_id, payment_id, refund_id), error_code="P0798", not_found_code="P0700"
    )
    return present_refund(refund, payment_id, base_url)


async def list_refunds(
    connector: ConnectorClient, account_id: str, payment_id: str, *, base_url: str
) -> JsonObject:
    listing = await payments.fetch_object(
        connector.get_refunds(account_id, payment_id), error_code="P0898", not_found_code="P0800"
    )
    embedded = listing.get("_embedded")
    refunds = embedded.get("refunds") if isinstance(embedded, dict) else None
    items = [item for item in refunds if isinstance(item, dict)] if isinstance(refunds, list) else []
    self_url = payment_url(base_url, payment_id)
    return {
        "payment_id": payment_id,
        "_links": {"self": get_link(f"{self_url}/refunds"), "payment": get_link(self_url)},
        "_embedded": {"refunds": [present_refund(item, payment_id, base_url) for item in items]},
    }
