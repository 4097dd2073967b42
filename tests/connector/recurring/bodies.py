"""The body of an agreement payment request, as a service sends it to connector."""

from __future__ import annotations

from typing import Any


def payment_body(agreement_id: str, **changes: Any) -> dict[str, Any]:
    return {
        "amount": 2046,
        "reference": "CT-2024-05",
        "description": "Council tax, May",
        "agreement_id": agreement_id,
        "authorisation_mode": "agreement",
        **changes,
    }
