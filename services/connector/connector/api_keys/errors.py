"""API-key errors, in the publicauth body shapes of api-keys.md (``{"message": "..."}``).

The key-management API keeps the original publicauth bodies (a single ``message`` string)
rather than the connector envelope, so existing callers of publicauth read them unchanged.
"""

from __future__ import annotations

from typing import Any

from connector.errors import ConnectorError


class ApiKeyError(ConnectorError):
    def body(self) -> dict[str, Any]:
        return {"message": "; ".join(self.messages)}


class MissingFields(ApiKeyError):
    status_code = 400

    def __init__(self, fields: list[str]) -> None:
        super().__init__(f"Missing fields: [{', '.join(fields)}]")


class InvalidField(ApiKeyError):
    status_code = 400


class AccountNotFound(ApiKeyError):
    status_code = 404

    def __init__(self, account_id: str) -> None:
        super().__init__(f"Gateway account [{account_id}] not found")


class TokenNotUpdated(ApiKeyError):
    status_code = 404

    def __init__(self) -> None:
        super().__init__("Could not update token description")


class TokenNotRevoked(ApiKeyError):
    status_code = 404

    def __init__(self) -> None:
        super().__init__("Could not revoke token")


class TokenInvalid(ApiKeyError):
    """Unknown key (or a key whose checksum does not match): 401 ``AUTH_TOKEN_INVALID``."""

    status_code = 401
    error_identifier = "AUTH_TOKEN_INVALID"

    def __init__(self) -> None:
        super().__init__("Token is invalid")

    def body(self) -> dict[str, Any]:
        return {"message": self.messages[0], "error_identifier": self.error_identifier}


class TokenRevoked(ApiKeyError):
    """A revoked key: 401 ``AUTH_TOKEN_REVOKED`` naming the key's ``token_link``."""

    status_code = 401
    error_identifier = "AUTH_TOKEN_REVOKED"

    def __init__(self, token_link: str) -> None:
        super().__init__("Token has been revoked")
        self.token_link = token_link

    def body(self) -> dict[str, Any]:
        return {
            "message": self.messages[0],
            "token_link": self.token_link,
            "error_identifier": self.error_identifier,
        }
