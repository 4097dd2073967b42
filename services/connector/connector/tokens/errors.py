"""Errors of the tokens feature.

Hierarchy::

    ConnectorError
    └── NotFound
        └── TokenInvalid   (404 GENERIC "Token invalid!")
"""

from __future__ import annotations

from connector.errors import NotFound


class TokenInvalid(NotFound):
    def __init__(self) -> None:
        super().__init__("Token invalid!")
