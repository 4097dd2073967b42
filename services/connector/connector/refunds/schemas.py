"""Request and response shapes of the refund endpoints (seeds 000/001, connector.md §3)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, StrictInt

from connector.charges.service import format_instant
from connector.refunds.state import EXTERNAL_REFUND_STATUS


class RefundRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")

    amount: StrictInt
    refund_amount_available: StrictInt
    user_external_id: str | None = None
    user_email: str | None = None


def charge_href(base_url: str, account_id: int, charge_id: str) -> str:
    return f"{base_url}/v1/api/accounts/{account_id}/charges/{charge_id}"


def refund_json(
    *,
    base_url: str,
    account_id: int,
    charge_id: str,
    refund_id: str,
    amount: int,
    status: str,
    created_date: datetime,
    user_external_id: str | None,
) -> dict[str, Any]:
    """The HAL refund body of the seeds (``user_external_id`` omitted when null)."""
    payment = charge_href(base_url, account_id, charge_id)
    body: dict[str, Any] = {
        "refund_id": refund_id,
        "amount": amount,
        "status": EXTERNAL_REFUND_STATUS[status],
        "created_date": format_instant(created_date),
    }
    if user_external_id is not None:
        body["user_external_id"] = user_external_id
    body["_links"] = {"self": {"href": f"{payment}/refunds/{refund_id}"}, "payment": {"href": payment}}
    return body
