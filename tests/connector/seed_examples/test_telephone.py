"""Seed 000, ``POST /v1/api/accounts/{id}/telephone-charges``: new (201) and already recorded (200)."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.connector.seed_examples.arrange import seed_account
from tests.connector.seed_examples.expect import ANY_STR, assert_answers
from tests.connector.telephone.test_telephone_charges import PACT_BODY

REQUEST = {
    "amount": 5000,
    "reference": "The reference issued by the government service for this payment",
    "description": "The payment description (shown to the user on the payment pages)",
    "processor_id": "183f2j8923j8",
    "provider_id": "17498-8412u9-1273891239",
    "payment_outcome": PACT_BODY["payment_outcome"],  # the same words as the pact's
    "card_type": "master-card",
    "card_expiry": "02/19",
    "last_four_digits": "1234",
    "first_six_digits": "654321",
}
RESPONSE = {
    **REQUEST,
    "payment_id": ANY_STR,
    # The example's message is a placeholder; P0010's message is the fact sheet's (connector.md §1).
    "state": {"status": "failed", "finished": True, "message": "Payment method rejected", "code": "P0010"},
}


@pytest.mark.asyncio
async def test_telephone_charge_new_then_existing(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    await seed_account(db_session, 3121, allow_telephone_payment_notifications=True)

    created = await connector_client.post("/v1/api/accounts/3121/telephone-charges", json=REQUEST)
    again = await connector_client.post("/v1/api/accounts/3121/telephone-charges", json=REQUEST)

    assert_answers(created, 201, RESPONSE)
    assert_answers(again, 200, RESPONSE)
    body = created.json()
    assert again.json()["payment_id"] == body["payment_id"] == body["charge_id"]
    # Today's members stay beside the seed's (the pact create-telephone-payment-notification).
    assert body["card_details"] == {
        "last_digits_card_number": "1234",
        "first_digits_card_number": "654321",
        "expiry_date": "02/19",
        "card_brand": "master-card",
    }
