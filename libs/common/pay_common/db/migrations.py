"""Apply a service's Alembic migrations from code (``make run``, tests, deploy).

Each service keeps its own ``alembic.ini`` and chain; this is the one way to run one.
"""

from __future__ import annotations

import asyncio
import sys
from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config


def alembic_config(alembic_ini: Path, database_url: str) -> Config:
    config = Config(str(alembic_ini))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade(alembic_ini: Path, database_url: str, revision: str = "head") -> None:
    """Bring the schema of ``database_url`` up to ``revision``.

    Alembic's async env.py calls ``asyncio.run``, so this must not run inside an event
    loop; :func:`upgrade_async` runs it in a worker thread for async callers.
    """
    command.upgrade(alembic_config(alembic_ini, database_url), revision)


async def upgrade_async(alembic_ini: Path, database_url: str, revision: str = "head") -> None:
    await asyncio.to_thread(upgrade, alembic_ini, database_url, revision)


@dataclass(frozen=True)
class ServiceMigrations:
    """One service's chain, by its ``alembic.ini``: what its ``migrate`` module exposes."""

    alembic_ini: Path

    def upgrade(self, database_url: str, revision: str = "head") -> None:
        upgrade(self.alembic_ini, database_url, revision)

    async def upgrade_async(self, database_url: str, revision: str = "head") -> None:
        await upgrade_async(self.alembic_ini, database_url, revision)

    def main(self) -> None:
        """``python -m <service>.migrate <database_url>``."""
        self.upgrade(sys.argv[1])
