"""Errors of the tokens feature.

Hierarchy::

    ConnectorError
    ├── NotFound
    │   └── TokenInvalid      (404 GENERIC "Token invalid!")
    └── Conflict
        └── TokenAlreadyUsed  (409 GENERIC "Token already used!")
"""

from __future__ import annotations

from connector.errors import Conflict, NotFound


class TokenInvalid(NotFound):
    def __init__(self) -> None:
        super().__init__("Token invalid!")


class TokenAlreadyUsed(Conflict):
    """Another caller burned the token first: only one browser may ever win it."""

    def __init__(self) -> None:
        super().__init__("Token already used!")
