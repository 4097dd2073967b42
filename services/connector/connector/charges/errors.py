"""Errors of a charge and its lifecycle (connector.md §4.2, §4.3, §8, §9), with the original's messages.

Creation, the views, authorisation, capture and cancel all raise these.

Hierarchy::

    ConnectorError
    ├── OperationInProgress         (202 "<operation> for charge already in progress, <id>")
    ├── NotFound
    │   ├── ChargeNotFound          (404 GENERIC "Charge with id [x] not found.")
    │   └── UnknownGatewayAccount   (404 GENERIC "Unknown gateway account: <id>", charge creation)
    ├── BadRequest
    │   ├── RequestTypeError        (400 GENERIC: unparsable JSON, wrong JSON type, unknown enum value)
    │   ├── ChargeNotInCorrectState, CannotUpdateStatus, CannotCapture, CannotCancel
    ├── Unprocessable
    │   ├── ChargeRequestInvalid    (422 GENERIC: one message per bean-validation violation)
    │   └── InvalidNewStatus
    └── Conflict
        ├── DelayedCaptureConflict
        └── CancelConflict

Business-rule refusals use the base classes with their exact ``error_identifier``.
"""

from __future__ import annotations

from connector.errors import BadRequest, Conflict, ConnectorError, NotFound, Unprocessable


class ChargeNotFound(NotFound):
    def __init__(self, charge_id: str) -> None:
        self.charge_id = charge_id
        super().__init__(f"Charge with id [{charge_id}] not found.")


class UnknownGatewayAccount(NotFound):
    def __init__(self, account_id: str | int) -> None:
        self.account_id = account_id
        super().__init__(f"Unknown gateway account: {account_id}")


class RequestTypeError(BadRequest):
    """The body is not JSON, or a field has the wrong JSON type or an unknown enum value."""


class ChargeRequestInvalid(Unprocessable):
    """Bean-validation failures: the body parsed but its values break the field rules."""


class ChargeNotInCorrectState(BadRequest):
    def __init__(self, charge_id: str) -> None:
        super().__init__(f"Charge not in correct state to be processed, {charge_id}")


class OperationInProgress(ConnectorError):
    """202: another request already holds the charge for this operation; the client polls."""

    status_code = 202

    def __init__(self, operation: str, charge_id: str) -> None:
        super().__init__(f"{operation} for charge already in progress, {charge_id}")


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
