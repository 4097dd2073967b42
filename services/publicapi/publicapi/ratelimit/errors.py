"""The rate-limit refusal: 429 ``{"code": "P0900", "description": "Too many requests"}``."""

from __future__ import annotations

from publicapi.errors import PublicApiError


def too_many_requests(retry_after: int) -> PublicApiError:
    # The original adds a bogus ``Content-Encoding: utf-8``; it is dropped on purpose (it
    # names no content coding, and strict clients refuse the body). Retry-After is added.
    return PublicApiError(
        "P0900", "Too many requests", status_code=429, headers={"Retry-After": str(retry_after)}
    )
