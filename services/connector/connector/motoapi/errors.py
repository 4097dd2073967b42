"""Errors of ``POST /v1/api/charges/authorise`` (MOTO API), with the original's identifiers and
messages (connector.md §5.2, §11.4). None of them ever quotes a card number, CVC or token.

Hierarchy::

    ConnectorError
    ├── BadRequest
    │   ├── OneTimeTokenInvalid       (400 ONE_TIME_TOKEN_INVALID)
    │   ├── NotAMotoApiToken          (400 ONE_TIME_TOKEN_INVALID)
    │   └── OneTimeTokenAlreadyUsed   (400 ONE_TIME_TOKEN_ALREADY_USED)
    ├── Unprocessable
    │   └── InvalidAttributeValue     (422 INVALID_ATTRIBUTE_VALUE)
    ├── CardNumberRejected            (402 CARD_NUMBER_REJECTED)
    ├── MotoAuthorisationRejected     (402 AUTHORISATION_REJECTED)
    ├── MotoAuthorisationError        (500 AUTHORISATION_ERROR)
    └── MotoAuthorisationTimeout      (500 AUTHORISATION_TIMEOUT)
"""

from __future__ import annotations

from connector.errors import BadRequest, ConnectorError, Unprocessable


class OneTimeTokenInvalid(BadRequest):
    error_identifier = "ONE_TIME_TOKEN_INVALID"

    def __init__(self) -> None:
        super().__init__("The one_time_token is not valid")


class NotAMotoApiToken(BadRequest):
    error_identifier = "ONE_TIME_TOKEN_INVALID"

    def __init__(self) -> None:
        super().__init__("The one_time_token is not a valid moto api token")


class OneTimeTokenAlreadyUsed(BadRequest):
    error_identifier = "ONE_TIME_TOKEN_ALREADY_USED"

    def __init__(self) -> None:
        super().__init__("The one_time_token has already been used")


class InvalidAttributeValue(Unprocessable):
    error_identifier = "INVALID_ATTRIBUTE_VALUE"

    def __init__(self, field: str, detail: str) -> None:
        super().__init__(f"Invalid attribute value: {field}. {detail}")


class CardNumberRejected(ConnectorError):
    status_code = 402
    error_identifier = "CARD_NUMBER_REJECTED"


class MotoAuthorisationRejected(ConnectorError):
    status_code = 402
    error_identifier = "AUTHORISATION_REJECTED"

    def __init__(self) -> None:
        super().__init__("The payment was rejected")


class MotoAuthorisationError(ConnectorError):
    status_code = 500
    error_identifier = "AUTHORISATION_ERROR"

    def __init__(self) -> None:
        super().__init__("There was an error authorising the payment")


class MotoAuthorisationTimeout(ConnectorError):
    status_code = 500
    error_identifier = "AUTHORISATION_TIMEOUT"

    def __init__(self) -> None:
        super().__init__("Authorising the payment timed out")
