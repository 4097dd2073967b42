"""The webhooks service's migrations build exactly the schema its models describe."""

from __future__ import annotations

from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from pay_common.db.session import to_async_url
from webhooks.models import SCHEMA, WebhooksModel


def _own_schema(name: str | None, type_: str, parent_names: object) -> bool:  # alembic hook
    # The connector's tables share the database: only the webhooks schema is compared.
    return type_ != "schema" or name == SCHEMA


def _differences(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(
        connection,
        opts={
            "compare_type": True,
            "include_schemas": True,
            "include_name": _own_schema,
            # Alembic's own bookkeeping table lives in the schema too; it is no model's.
            "version_table_schema": SCHEMA,
        },
    )
    return list(compare_metadata(context, WebhooksModel.metadata))


@pytest.mark.asyncio
async def test_migrated_schema_matches_the_models(webhooks_database: str) -> None:
    engine = create_async_engine(to_async_url(webhooks_database))
    try:
        async with engine.connect() as connection:
            differences = await connection.run_sync(_differences)
    finally:
        await engine.dispose()

    assert differences == []
