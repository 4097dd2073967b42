"""Alembic environment of the webhooks service: async, its own schema and version table."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from pay_common.db.session import to_async_url
from webhooks.models import SCHEMA, WebhooksModel

target_metadata = WebhooksModel.metadata


def _configure_and_run(connection: Connection) -> None:
    # The version table lives in the service's schema, so it never meets connector's.
    connection.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{SCHEMA}"'))
    connection.commit()
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        compare_type=True,
        version_table_schema=SCHEMA,
        include_schemas=True,
        include_name=lambda name, type_, _parent: type_ != "schema" or name == SCHEMA,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_online() -> None:
    url = context.config.get_main_option("sqlalchemy.url")
    assert url, "webhooks.migrate sets sqlalchemy.url"
    engine = create_async_engine(to_async_url(url))
    async with engine.connect() as connection:
        await connection.run_sync(_configure_and_run)
    await engine.dispose()


asyncio.run(_run_online())
