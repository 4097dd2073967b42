"""``POST /v1/payments/{paymentId}/refunds`` body (publicapi.md §d.3) and refund shapes (§f.3)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, Field

from pay_common.json_input import is_ascii_digits
from publicapi.errors import invalid_attribute, missing_attribute
from publicapi.validation import is_json_int

MAX_REFUND = 10_000_000


@dataclass(frozen=True)
class RefundRequest:
    amount: int
    refund_amount_available: int | None


def _lenient_int(value: Any) -> int:
    """The original reads ``refund_amount_available`` with Jackson's ``asInt``: never fails.
    A number beyond a 32-bit int (which ``asInt`` would truncate) reads as 0, like text."""
    number = 0
    if isinstance(value, bool | int | float):
        number = int(value)
    elif isinstance(value, str) and is_ascii_digits(value.strip().removeprefix("-")):
        number = int(value.strip())
    return number if is_json_int(number) else 0


def parse_refund_request(body: dict[str, Any]) -> RefundRequest:
    amount = body.get("amount")
    if amount is None:
        raise missing_attribute("P0601", "amount")
    if not is_json_int(amount):
        raise invalid_attribute("P0602", "amount", "Must be a valid numeric format", status_code=400)
    if amount < 1:
        raise invalid_attribute("P0602", "amount", "Must be greater than or equal to 1", status_code=422)
    if amount > MAX_REFUND:
        raise invalid_attribute(
            "P0602", "amount", f"Must be less than or equal to {MAX_REFUND}", status_code=422
        )
    available = body.get("refund_amount_available")
    return RefundRequest(
        amount=int(amount),
        refund_amount_available=None if available is None else _lenient_int(available),
    )


class PaymentRefundRequest(BaseModel):
    """Documents the body for our OpenAPI; :func:`parse_refund_request` does the checking."""

    amount: int = Field(ge=1, le=MAX_REFUND)
    refund_amount_available: int | None = None
