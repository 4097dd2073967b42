"""Apply the webhooks service's migrations: ``python -m webhooks.migrate <database_url>``."""

from __future__ import annotations

from pathlib import Path

from pay_common.db.migrations import ServiceMigrations

MIGRATIONS = ServiceMigrations(Path(__file__).resolve().parent.parent / "alembic.ini")
upgrade = MIGRATIONS.upgrade
upgrade_async = MIGRATIONS.upgrade_async

if __name__ == "__main__":
    MIGRATIONS.main()
