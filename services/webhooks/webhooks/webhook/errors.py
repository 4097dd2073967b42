"""Errors of the webhook admin API (identifiers and messages as upstream, §A4)."""

from __future__ import annotations

from webhooks.errors import BadRequest, NotFound


class CallbackUrlError(BadRequest):
    def __init__(self, identifier: str, message: str) -> None:
        super().__init__(message, error_identifier=identifier)


class WebhookNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("Not found", error_identifier="NOT_FOUND")


class BadPatchValue(BadRequest):
    """A PATCH operation with an unknown path or a value of the wrong kind."""


class BadListQuery(BadRequest):
    """The list's service/account filter mixed with (or missing without) the override flag."""
