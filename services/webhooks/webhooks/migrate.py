"""Apply the webhooks service's migrations: ``python -m webhooks.migrate <database_url>``."""

from __future__ import annotations

import sys
from pathlib import Path

from pay_common.db import migrations

ALEMBIC_INI = Path(__file__).resolve().parent.parent / "alembic.ini"


def upgrade(database_url: str, revision: str = "head") -> None:
    migrations.upgrade(ALEMBIC_INI, database_url, revision)


async def upgrade_async(database_url: str, revision: str = "head") -> None:
    await migrations.upgrade_async(ALEMBIC_INI, database_url, revision)


if __name__ == "__main__":
    upgrade(sys.argv[1])
