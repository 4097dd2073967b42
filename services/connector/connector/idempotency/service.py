"""Idempotency-Key on ``POST .../charges`` (connector.md §4.4, docs/decisions.md "Idempotency-Key").

Honoured only for ``authorisation_mode=agreement``, as upstream: for the other modes the header is
ignored, so clients of GOV.UK Pay keep their behaviour. The key is scoped to the account. A request
is compared with the first one by :func:`fingerprint` (defaults applied, so ``"language": "en"``
and no language are the same request): the same body answers 200 with the first charge, another
body 409 ``IDEMPOTENCY_KEY_USED``. Keys older than ``idempotency_key_expiry_window_seconds`` no
longer count (the expiry sweep deletes them).

Races: the row is inserted with ``ON CONFLICT DO NOTHING`` in the transaction that creates the
charge. Of two requests with one key, the second waits on the first's uncommitted row; when the
first commits the second finds the key taken and answers like a replay (200 with the first charge,
or 409), so one key never makes two payments and no request fails with a 500.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from connector.charges.schemas import AuthorisationMode, ChargeCreateRequest
from connector.config import get_settings
from connector.errors import Conflict
from connector.idempotency import repository
from connector.models import Idempotency
from pay_common.db.base import utc_now


class IdempotencyKeyUsed(Conflict):
    def __init__(self) -> None:
        super().__init__(
            "The Idempotency-Key has already been used to create a payment",
            error_identifier="IDEMPOTENCY_KEY_USED",
        )


@dataclass(frozen=True)
class IdempotentRequest:
    """A create-charge request that carries a key the connector honours."""

    account_id: int
    key: str
    body: dict[str, Any]


def honoured(account_id: int, request: ChargeCreateRequest, key: str | None) -> IdempotentRequest | None:
    """The key to honour for this request, or None (no header, or a mode that ignores it)."""
    if key is None or request.mode is not AuthorisationMode.AGREEMENT:
        return None
    return IdempotentRequest(account_id, key, fingerprint(request))


#: What an absent member means (§4.1, §4.2 step 12): a request that spells a default out is the same request.
_DEFAULTS = {
    "language": "en",
    "delayed_capture": False,
    "moto": False,
    "save_payment_instrument_to_agreement": False,
    "agreement_payment_type": "recurring",
}


def fingerprint(request: ChargeCreateRequest) -> dict[str, Any]:
    """The request as stored with its key and compared with a replay: the parsed model (so
    member order and unknown members do not matter), defaults filled in."""
    body = request.model_dump(mode="json")
    for name, default in _DEFAULTS.items():
        if body.get(name) is None:
            body[name] = default
    return body


async def earlier_charge(session: AsyncSession, idempotent: IdempotentRequest) -> str | None:
    """§4.2 step 2: the external id of the charge this key already created (replay), None when
    the key is new; 409 when it was used with another body."""
    row = await _live_row(session, idempotent)
    if row is None:
        return None
    if row.request_body != idempotent.body:
        raise IdempotencyKeyUsed()
    return row.resource_external_id


async def claim(session: AsyncSession, idempotent: IdempotentRequest, charge_external_id: str) -> str | None:
    """Step 14: take the key for the charge being created (None: it is ours). When a concurrent
    request took it first, the external id of that request's charge (or 409, another body)."""
    if await repository.insert_unless_taken(
        session, idempotent.account_id, idempotent.key, idempotent.body, charge_external_id
    ):
        return None
    earlier = await earlier_charge(session, idempotent)
    if earlier is None:  # taken by a row that has just expired: it no longer counts
        return await claim(session, idempotent, charge_external_id)
    return earlier


async def _live_row(session: AsyncSession, idempotent: IdempotentRequest) -> Idempotency | None:
    row = await repository.find(session, idempotent.account_id, idempotent.key)
    if row is None:
        return None
    window = timedelta(seconds=get_settings().idempotency_key_expiry_window_seconds)
    if row.created_date < utc_now() - window:
        await repository.delete_one(session, row.id)
        return None
    return row
