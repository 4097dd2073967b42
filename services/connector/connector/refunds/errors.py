"""Refund errors, with the identifiers and messages of connector.md §3.3."""

from __future__ import annotations

from connector.errors import BadRequest, ConnectorError, Forbidden, NotFound


class RefundNotAvailable(BadRequest):
    error_identifier = "REFUND_NOT_AVAILABLE"


class RefundAmountAvailableMismatch(ConnectorError):
    status_code = 412
    error_identifier = "REFUND_AMOUNT_AVAILABLE_MISMATCH"


class AccountDisabled(Forbidden):
    error_identifier = "ACCOUNT_DISABLED"


class RefundGatewayError(ConnectorError):
    """The provider refused or failed the refund: 500 with the provider's message."""

    status_code = 500


def refund_not_found(refund_id: str) -> NotFound:
    return NotFound(f"Refund with id [{refund_id}] not found.")


def min_amount() -> RefundNotAvailable:
    return RefundNotAvailable(
        "Validation error for amount. Minimum amount for a refund is 1", reason="amount_min_validation"
    )


def amount_not_available() -> RefundNotAvailable:
    return RefundNotAvailable("Not sufficient amount available for refund", reason="amount_not_available")


def not_available_for_refund(charge_id: str, availability: str) -> RefundNotAvailable:
    return RefundNotAvailable(f"Charge with id [{charge_id}] not available for refund.", reason=availability)


def mismatch() -> RefundAmountAvailableMismatch:
    return RefundAmountAvailableMismatch("Refund Amount Available Mismatch")


def account_disabled() -> AccountDisabled:
    return AccountDisabled("This gateway account is disabled")


def no_credentials() -> NotFound:
    return NotFound("Unable to find gateway account credentials to use to refund charge.")
