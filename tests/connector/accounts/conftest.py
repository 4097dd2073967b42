"""Helpers for the account tests: create accounts through the API and snapshot the tables."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

Snapshot = Callable[[], Awaitable[dict[str, list[Any]]]]
CreateAccount = Callable[..., Awaitable[dict[str, Any]]]

#: Every table an account endpoint may write.
ACCOUNT_TABLES = (
    "gateway_accounts",
    "gateway_account_credentials",
    "email_notifications",
    "accepted_card_types",
    "gateway_accounts_stripe_setup",
)


@pytest.fixture
def snapshot(db_session: AsyncSession) -> Snapshot:
    """Every row of the account tables, to prove a rejected request changed nothing."""

    async def take() -> dict[str, list[Any]]:
        tables: dict[str, list[Any]] = {}
        for table in ACCOUNT_TABLES:
            rows = await db_session.execute(text(f"SELECT row_to_json(t)::text FROM {table} t ORDER BY 1"))
            tables[table] = [row[0] for row in rows]
        await db_session.commit()
        return tables

    return take


@pytest.fixture
def create_account(connector_client: httpx.AsyncClient) -> CreateAccount:
    """POST /v1/api/accounts with sensible defaults; returns the 201 body."""

    async def create(**fields: Any) -> dict[str, Any]:
        fields.setdefault("service_id", "a" * 32)
        response = await connector_client.post("/v1/api/accounts", json=fields)
        assert response.status_code == 201, response.text
        body: dict[str, Any] = response.json()
        return body

    return create
