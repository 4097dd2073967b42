"""Alembic environment: async, driven by the URL connector.migrate puts in the config."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

import connector.models  # noqa: F401  (registers every table on the metadata)
from connector.migrate import include_name
from pay_common.db.base import Model
from pay_common.db.session import to_async_url

target_metadata = Model.metadata


def _configure_and_run(connection: Connection) -> None:
    context.configure(
        connection=connection, target_metadata=target_metadata, compare_type=True, include_name=include_name
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_online() -> None:
    url = context.config.get_main_option("sqlalchemy.url")
    assert url, "connector.migrate sets sqlalchemy.url"
    engine = create_async_engine(to_async_url(url))
    async with engine.connect() as connection:
        await connection.run_sync(_configure_and_run)
    await engine.dispose()


if context.is_offline_mode():
    context.configure(url=context.config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata)
    with context.begin_transaction():
        context.run_migrations()
else:
    asyncio.run(_run_online())
