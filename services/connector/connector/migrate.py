"""Apply the connector's Alembic migrations from code: ``python -m connector.migrate <database_url>``
(``make run``, tests, deploy), through the one runner of ``pay_common.db.migrations``."""

from __future__ import annotations

import sys
from pathlib import Path

from pay_common.db import migrations

ALEMBIC_INI = Path(__file__).resolve().parent.parent / "alembic.ini"


def include_name(name: str | None, type_: str, parent_names: object) -> bool:  # noqa: ARG001 (alembic hook)
    """Leave the job queue's own objects (``procrastinate_*``) out of autogenerate comparisons."""
    return not (name or "").startswith("procrastinate_")


def upgrade(database_url: str, revision: str = "head") -> None:
    """Bring the schema of ``database_url`` up to ``revision`` (not inside an event loop)."""
    migrations.upgrade(ALEMBIC_INI, database_url, revision)


async def upgrade_async(database_url: str, revision: str = "head") -> None:
    await migrations.upgrade_async(ALEMBIC_INI, database_url, revision)


if __name__ == "__main__":
    upgrade(sys.argv[1])
