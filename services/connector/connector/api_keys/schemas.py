"""Request and response bodies of the key-management API (api-keys.md).

Request fields are all optional in the models so the service can answer a missing field
with publicauth's ``Missing fields: [...]`` message instead of a generic validation error.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, StrictInt

from connector.models import ApiKey

TokenState = Literal["active", "revoked"]


class CreateApiKeyRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")

    # StrictInt: JSON true is not account 1.
    account_id: str | StrictInt | None = None
    description: str | None = None
    created_by: str | None = None
    token_type: str | None = None


class CreatedApiKey(BaseModel):
    token: str


class UpdateDescriptionRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")

    token_link: str | None = None
    description: str | None = None


class RevokeRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")

    token_link: str | None = None


class Revoked(BaseModel):
    revoked: str


class ResolvedApiKey(BaseModel):
    account_id: str
    token_type: str
    token_link: str


class ApiKeyView(BaseModel):
    token_link: str
    description: str
    token_type: str
    created_by: str | None
    issued_date: str
    last_used: str | None
    revoked: str | None = None


class ApiKeyList(BaseModel):
    tokens: list[ApiKeyView]


def iso(value: datetime) -> str:
    """ISO 8601 in UTC with milliseconds, as every other connector date."""
    return value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def view_of(key: ApiKey) -> ApiKeyView:
    """``revoked`` is left unset (so not rendered) for active keys, as publicauth does."""
    view = ApiKeyView(
        token_link=key.token_link,
        description=key.description,
        token_type=key.token_type,
        created_by=key.created_by,
        issued_date=iso(key.issued_date),
        last_used=iso(key.last_used) if key.last_used else None,
    )
    if key.revoked is not None:
        view.revoked = iso(key.revoked)
    return view
