"""Errors of the charge lifecycle (authorisation, capture, cancel), with the original's messages."""

from __future__ import annotations

from connector.errors import BadRequest, Conflict, ConnectorError, NotFound, Unprocessable


class ChargeNotFound(NotFound):
    def __init__(self, charge_id: str) -> None:
        super().__init__(f"Charge with id [{charge_id}] not found.")


class ChargeNotInCorrectState(BadRequest):
    def __init__(self, charge_id: str) -> None:
        super().__init__(f"Charge not in correct state to be processed, {charge_id}")


class OperationInProgress(ConnectorError):
    """202: another request already holds the charge for this operation; the client polls."""

    status_code = 202

    def __init__(self, operation: str, charge_id: str) -> None:
        super().__init__(f"{operation} for charge already in progress, {charge_id}")


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


class InvalidNewStatus(Unprocessable):
    def __init__(self) -> None:
        super().__init__("invalid new status")


class CannotUpdateStatus(BadRequest):
    def __init__(self, charge_id: str, status: str) -> None:
        super().__init__(f"charge with id: {charge_id} cannot be updated to the new status: {status}")


class CannotCapture(BadRequest):
    def __init__(self, status: str) -> None:
        super().__init__(f"Cannot capture a charge with status {status}.")


class CannotCancel(BadRequest):
    def __init__(self, status: str) -> None:
        super().__init__(f"Cannot cancel a charge with status {status}.")


class DelayedCaptureConflict(Conflict):
    def __init__(self, charge_id: str) -> None:
        super().__init__(
            f"Operation for charge conflicting, {charge_id}, attempt to perform delayed capture on charge "
            "not in AWAITING CAPTURE REQUEST state."
        )


class CancelConflict(Conflict):
    """A service cancel while the charge is locked for authorisation (no edge AUTHORISATION READY → SYSTEM CANCELLED)."""

    def __init__(self, charge_id: str) -> None:
        super().__init__(f"Authorisation for charge already in progress, {charge_id}")
