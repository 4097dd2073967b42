"""What a service's Alembic ``env.py`` does, in one place: run its migrations for its metadata.

Each service keeps its own ``env.py`` (Alembic loads it from the script directory) and passes
what is its own: the metadata its models register, the schema it owns when that is not
``public`` (webhooks: its tables *and* its version table, so its chain never meets connector's),
and a filter for objects someone else creates (connector: procrastinate's).

Online, the migrations run on an async engine at the URL the service's migrate module put in
the config (:mod:`pay_common.db.migrations`). Offline (``alembic upgrade --sql``) Alembic writes
the SQL instead, as far as the revisions allow: one that needs a live connection stops it.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from alembic import context
from sqlalchemy import MetaData, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from pay_common.db.session import to_async_url

if TYPE_CHECKING:
    from alembic.runtime.environment import IncludeNameFn, NameFilterParentNames, NameFilterType


def run_migrations(
    target_metadata: MetaData, *, schema: str | None = None, include_name: IncludeNameFn | None = None
) -> None:
    """Run the migrations Alembic asked the calling ``env.py`` for.

    ``schema``: the schema the service owns, created first when missing because the version
    table lives in it; autogenerate then compares that schema alone. ``include_name``: Alembic's
    hook, to leave another owner's objects out of autogenerate comparisons.
    """
    url = context.config.get_main_option("sqlalchemy.url")
    assert url, "the service's migrate module sets sqlalchemy.url"
    options: dict[str, Any] = {
        "target_metadata": target_metadata,
        "compare_type": True,
        "version_table_schema": schema,
        "include_schemas": schema is not None,
        "include_name": include_name if schema is None else _only_schema(schema, include_name),
    }
    if context.is_offline_mode():
        context.configure(url=url, **options)
        with context.begin_transaction():
            if schema is not None:
                context.execute(_create_schema(schema))
            context.run_migrations()
    else:
        asyncio.run(_run_online(url, schema, options))


async def _run_online(url: str, schema: str | None, options: dict[str, Any]) -> None:
    engine = create_async_engine(to_async_url(url))
    async with engine.connect() as connection:
        await connection.run_sync(_configure_and_run, schema, options)
    await engine.dispose()


def _configure_and_run(connection: Connection, schema: str | None, options: dict[str, Any]) -> None:
    if schema is not None:
        connection.execute(text(_create_schema(schema)))
        connection.commit()
    context.configure(connection=connection, **options)
    with context.begin_transaction():
        context.run_migrations()


def _create_schema(schema: str) -> str:
    return f'CREATE SCHEMA IF NOT EXISTS "{schema}"'


def _only_schema(schema: str, include_name: IncludeNameFn | None) -> IncludeNameFn:
    """``include_name`` limited to ``schema``: with ``include_schemas`` Alembic offers every schema."""

    def include(name: str | None, type_: NameFilterType, parent_names: NameFilterParentNames) -> bool:
        if type_ == "schema":
            return name == schema
        return include_name is None or include_name(name, type_, parent_names)

    return include
