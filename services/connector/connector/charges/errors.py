"""Errors of the charges feature (connector.md §4.2, §4.3).

Hierarchy::

    ConnectorError
    ├── NotFound
    │   ├── ChargeNotFound          (404 GENERIC "Charge with id [x] not found.")
    │   └── GatewayAccountNotFound  (404 GENERIC "Unknown gateway account: <id>")
    ├── BadRequest
    │   └── RequestTypeError        (400 GENERIC: unparsable JSON, wrong JSON type, unknown enum value)
    └── Unprocessable
        └── ChargeRequestInvalid    (422 GENERIC: one message per bean-validation violation)

Business-rule refusals use the base classes with their exact ``error_identifier``.
"""

from __future__ import annotations

from connector.errors import BadRequest, NotFound, Unprocessable


class ChargeNotFound(NotFound):
    def __init__(self, charge_id: str) -> None:
        self.charge_id = charge_id
        super().__init__(f"Charge with id [{charge_id}] not found.")


class GatewayAccountNotFound(NotFound):
    def __init__(self, account_id: str | int) -> None:
        self.account_id = account_id
        super().__init__(f"Unknown gateway account: {account_id}")


class RequestTypeError(BadRequest):
    """The body is not JSON, or a field has the wrong JSON type or an unknown enum value."""


class ChargeRequestInvalid(Unprocessable):
    """Bean-validation failures: the body parsed but its values break the field rules."""
