"""Agreement errors, with the identifiers and messages of connector.md §11.1."""

from __future__ import annotations

from connector.errors import BadRequest, NotFound, Unprocessable


def agreement_not_found(agreement_id: str) -> NotFound:
    return NotFound(f"Agreement with ID [{agreement_id}] not found.", error_identifier="AGREEMENT_NOT_FOUND")


def charge_agreement_not_found(agreement_id: str) -> BadRequest:
    """Create-charge step 11 answers 400, not 404 (connector.md §4.2), so publicapi says P0102."""
    return BadRequest(
        f"Agreement with ID [{agreement_id}] not found.", error_identifier="AGREEMENT_NOT_FOUND"
    )


def agreement_not_active() -> BadRequest:
    return BadRequest("Payment instrument not active.", error_identifier="AGREEMENT_NOT_ACTIVE")


def recurring_not_allowed() -> Unprocessable:
    return Unprocessable(
        "Recurring card payments are not enabled for this gateway account",
        error_identifier="RECURRING_CARD_PAYMENTS_NOT_ALLOWED",
    )


def charge_agreement_without_instrument(agreement_id: str) -> BadRequest:
    """Create-charge step 13: an agreement payment needs the agreement's instrument (§4.2)."""
    return BadRequest(
        f"Agreement with ID [{agreement_id}] does not have a payment instrument",
        error_identifier="AGREEMENT_NOT_ACTIVE",
    )


def charge_agreement_instrument_not_active(agreement_id: str, instrument_id: str, status: str) -> BadRequest:
    return BadRequest(
        f"Agreement with ID [{agreement_id}] has payment instrument with ID [{instrument_id}]"
        f" but its state is [{status}]",
        error_identifier="AGREEMENT_NOT_ACTIVE",
    )
