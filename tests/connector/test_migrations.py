"""The Alembic migrations build exactly the schema the ORM models describe."""

from __future__ import annotations

from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from connector.migrate import include_name
from connector.models import Model
from pay_common.db.session import to_async_url


def _differences(connection: Connection) -> list[Any]:
    # procrastinate's tables come from its own schema script (0006), not from our models.
    context = MigrationContext.configure(
        connection, opts={"compare_type": True, "include_name": include_name}
    )
    return list(compare_metadata(context, Model.metadata))


@pytest.mark.asyncio
async def test_migrated_schema_matches_the_models(database_url: str) -> None:
    engine = create_async_engine(to_async_url(database_url))
    try:
        async with engine.connect() as connection:
            differences = await connection.run_sync(_differences)
    finally:
        await engine.dispose()

    assert differences == []
