"""Errors of card authorisation and 3DS, with the original's messages.

The errors of the charge lifecycle that capture and cancel share (not found, wrong state,
operation in progress) live in ``connector/charges/errors.py``.
"""

from __future__ import annotations

from connector.charges.errors import OperationInProgress
from connector.errors import BadRequest, ConnectorError, Unprocessable


class AuthorisationInProgress(OperationInProgress):
    def __init__(self, charge_id: str) -> None:
        super().__init__("Authorisation", charge_id)


class InvalidCardDetails(Unprocessable):
    def __init__(self) -> None:
        super().__init__("Values do not match expected format/length.")


class AuthorisationDeclined(BadRequest):
    def __init__(self) -> None:
        # GENERIC, as the original's web /cards answers (only the wallet routes use AUTHORISATION_REJECTED).
        super().__init__("This transaction was declined.")


class GatewayErrorResponse(ConnectorError):
    """The gateway's own message: 400 for a generic gateway error, 402 for timeouts/unreachable."""

    def __init__(self, message: str, *, status_code: int) -> None:
        super().__init__(message, status_code=status_code)


class CardBrandNotAccepted(BadRequest):
    def __init__(self, brand: str) -> None:
        super().__init__(f"Card brand [{brand}] is not accepted for this payment.")
