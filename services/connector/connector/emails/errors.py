"""Errors of the emails feature."""

from __future__ import annotations

from connector.errors import ConnectorError


class EmailNotSent(ConnectorError):
    """402 of a resend that did not go (connector.md §14.4: ``Failed to send email``)."""

    status_code = 402

    def __init__(self) -> None:
        super().__init__("Failed to send email")
