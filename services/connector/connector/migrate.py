"""Apply the connector's Alembic migrations from code (``make run``, tests, deploy)."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from alembic import command
from alembic.config import Config

ALEMBIC_INI = Path(__file__).resolve().parent.parent / "alembic.ini"


def include_name(name: str | None, type_: str, parent_names: object) -> bool:  # noqa: ARG001 (alembic hook)
    """Leave the job queue's own objects (``procrastinate_*``) out of autogenerate comparisons."""
    return not (name or "").startswith("procrastinate_")


def alembic_config(database_url: str) -> Config:
    config = Config(str(ALEMBIC_INI))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    """Bring the schema of ``database_url`` up to ``revision``.

    Alembic's async env.py calls ``asyncio.run``, so this must not run inside an event
    loop; :func:`upgrade_async` runs it in a worker thread for async callers.
    """
    command.upgrade(alembic_config(database_url), revision)


async def upgrade_async(database_url: str, revision: str = "head") -> None:
    await asyncio.to_thread(upgrade, database_url, revision)


if __name__ == "__main__":  # python -m connector.migrate <database_url>
    upgrade(sys.argv[1])
