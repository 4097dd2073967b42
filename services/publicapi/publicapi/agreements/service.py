"""Agreement operations (publicapi.md §e, §h): connector answers writes and, having no ledger
here, the reads too (docs/decisions.md)."""

from __future__ import annotations

from publicapi.agreements.schemas import present_agreement
from publicapi.connector_client.client import ConnectorClient
from publicapi.connector_client.schemas import ConnectorResponse, JsonObject
from publicapi.errors import PAGE_NOT_FOUND, PublicApiError, downstream_error, not_found
from publicapi.payments.service import CREATE_ERRORS, downstream, fetch_object
from publicapi.search.schemas import DEFAULT_DISPLAY_SIZE, Params
from publicapi.search.service import navigation_links

AGREEMENTS_PATH = "/v1/agreements"


def _recurring_disabled() -> PublicApiError:
    status, code, description, _ = CREATE_ERRORS["RECURRING_CARD_PAYMENTS_NOT_ALLOWED"]
    assert description is not None
    return PublicApiError(code, description, status_code=status)


async def _read(connector: ConnectorClient, account_id: str, agreement_id: str) -> JsonObject:
    call = connector.get_agreement(account_id, agreement_id)
    return present_agreement(await fetch_object(call, error_code="P2298", not_found_code="P2200"))


async def create_agreement(connector: ConnectorClient, account_id: str, body: JsonObject) -> JsonObject:
    async with downstream("P2198"):
        response = await connector.create_agreement(account_id, body)
        if response.status_code != 201:
            raise _create_error(response)
        agreement_id = str(response.json_object().get("agreement_id"))
    return await _read(connector, account_id, agreement_id)


def _create_error(response: ConnectorResponse) -> PublicApiError:
    if response.error().error_identifier == "RECURRING_CARD_PAYMENTS_NOT_ALLOWED":
        return _recurring_disabled()
    return downstream_error("P2198")


async def get_agreement(connector: ConnectorClient, account_id: str, agreement_id: str) -> JsonObject:
    return await _read(connector, account_id, agreement_id)


async def search_agreements(
    connector: ConnectorClient, account_id: str, params: Params, *, base_url: str
) -> JsonObject:
    body = await fetch_object(
        connector.search_agreements(account_id, params),
        error_code="P2498",
        not_found_code="P2402",
        not_found_description=PAGE_NOT_FOUND,
    )
    raw = body.get("results")
    results = (
        [present_agreement(item) for item in raw if isinstance(item, dict)] if isinstance(raw, list) else []
    )
    total = body.get("total")
    total = total if isinstance(total, int) else len(results)
    page = int(params.get("page", "1"))
    display_size = int(params.get("display_size", str(DEFAULT_DISPLAY_SIZE)))
    links = navigation_links(
        base_url, AGREEMENTS_PATH, params, page=page, display_size=display_size, total=total
    )
    return {"total": total, "count": len(results), "page": page, "results": results, "_links": links}


async def cancel_agreement(connector: ConnectorClient, account_id: str, agreement_id: str) -> None:
    async with downstream("P2598"):
        response = await connector.cancel_agreement(account_id, agreement_id)
    if response.status_code == 204:
        return
    if response.status_code == 404:
        raise not_found("P2500")
    if response.status_code == 400:
        raise PublicApiError("P2501", "Cancellation of agreement failed", status_code=400)
    raise downstream_error("P2598")
