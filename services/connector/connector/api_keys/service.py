"""Issuing, resolving, describing and revoking API keys (api-keys.md).

The full key is returned once, by :func:`issue`; the table holds only the SHA-256 of
its token, so neither a database dump nor a log line can be turned back into a key.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from connector.accounts.schemas import parse_account_id as parse_account
from connector.api_keys import repository
from connector.api_keys.errors import (
    AccountNotFound,
    InvalidField,
    MissingFields,
    TokenInvalid,
    TokenNotRevoked,
    TokenNotUpdated,
    TokenRevoked,
)
from connector.api_keys.schemas import CreateApiKeyRequest, UpdateDescriptionRequest
from connector.models import ApiKey
from pay_common import api_keys
from pay_common.db.base import utc_now
from pay_common.ids import new_uuid
from pay_common.logging import get_logger

logger = get_logger(__name__)

TOKEN_TYPES = frozenset({"CARD"})
#: api-keys.md: updating last_used at most once a minute per key is enough.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def _reject_nul(**fields: str | None) -> None:
    # PostgreSQL text cannot hold NUL; refuse it as bad input rather than fail on insert.
    for name, value in fields.items():
        if value is not None and "\x00" in value:
            raise InvalidField(f"Invalid {name}: must not contain NUL characters")


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def parse_account_id(value: str | int) -> int | None:
    """The body's or path's account id (a JSON number or string, spaces allowed around it)."""
    return parse_account(str(value).strip())


async def issue(session: AsyncSession, request: CreateApiKeyRequest | None, secret: str) -> str:
    """Store a new key for the account and return the full key (shown only this once)."""
    request = request or CreateApiKeyRequest()
    missing = [
        name
        for name, value in (("account_id", request.account_id), ("description", request.description))
        if value is None or (isinstance(value, str) and not value.strip())
    ]
    if missing:
        raise MissingFields(missing)
    assert request.account_id is not None
    assert request.description is not None
    _reject_nul(description=request.description, created_by=request.created_by)
    token_type = (request.token_type or "CARD").upper()
    if token_type not in TOKEN_TYPES:
        raise InvalidField(f"Invalid token_type: {request.token_type}. Must be CARD")
    account_id = parse_account_id(request.account_id)
    if account_id is None or not await repository.account_exists(session, account_id):
        raise AccountNotFound(str(request.account_id))
    token, key = api_keys.generate_key(secret)
    record = ApiKey(
        token_hash=api_keys.token_hash(token),
        token_link=new_uuid(),
        account_id=account_id,
        description=request.description,
        created_by=request.created_by,
        token_type=token_type,
        issued_date=utc_now(),
    )
    session.add(record)
    await session.flush()
    logger.info("api_key.issued", account_id=account_id, token_link=record.token_link)
    return key


async def resolve(session: AsyncSession, authorization: str | None, secret: str) -> ApiKey:
    """The active key behind an ``Authorization: Bearer <key>`` header; records its use."""
    key = api_keys.key_from_authorization(authorization)
    if key is None or not api_keys.verify_key(key, secret):
        raise TokenInvalid()
    parts = api_keys.split_key(key)
    assert parts is not None
    record = await repository.find_by_token_hash(session, api_keys.token_hash(parts[0]))
    if record is None:
        raise TokenInvalid()
    if record.revoked is not None:
        logger.warning("api_key.revoked_key_used", account_id=record.account_id, token_link=record.token_link)
        raise TokenRevoked(record.token_link)
    await repository.touch_last_used(session, record.id, utc_now(), LAST_USED_RESOLUTION)
    return record


async def list_keys(session: AsyncSession, account_id: str, *, revoked: bool) -> Sequence[ApiKey]:
    parsed = parse_account_id(account_id)
    if parsed is None:
        return []
    return await repository.list_for_account(session, parsed, revoked=revoked)


async def describe(session: AsyncSession, request: UpdateDescriptionRequest | None) -> ApiKey:
    request = request or UpdateDescriptionRequest()
    missing = [
        name
        for name, value in (("token_link", request.token_link), ("description", request.description))
        if value is None
    ]
    if missing:
        raise MissingFields(missing)
    assert request.token_link is not None
    assert request.description is not None
    _reject_nul(description=request.description)
    if not _is_uuid(request.token_link):
        raise TokenNotUpdated()
    record = await repository.find_active_by_link(session, request.token_link)
    if record is None:
        raise TokenNotUpdated()
    record.description = request.description
    await session.flush()
    return record


async def revoke(session: AsyncSession, account_id: str, token_link: str | None) -> ApiKey:
    if token_link is None:
        raise MissingFields(["token_link"])
    parsed = parse_account_id(account_id)
    if parsed is None or not _is_uuid(token_link):
        raise TokenNotRevoked()
    record = await repository.find_active_for_account(session, parsed, token_link)
    if record is None:
        raise TokenNotRevoked()
    record.revoked = utc_now()
    await session.flush()
    logger.info("api_key.revoked", account_id=record.account_id, token_link=record.token_link)
    return record
