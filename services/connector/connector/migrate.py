"""Apply the connector's Alembic migrations from code: ``python -m connector.migrate <database_url>``
(``make run``, tests, deploy)."""

from __future__ import annotations

from pathlib import Path

from pay_common.db.migrations import ServiceMigrations

MIGRATIONS = ServiceMigrations(Path(__file__).resolve().parent.parent / "alembic.ini")
upgrade = MIGRATIONS.upgrade
upgrade_async = MIGRATIONS.upgrade_async


def include_name(name: str | None, type_: str, parent_names: object) -> bool:  # noqa: ARG001 (alembic hook)
    """Leave the job queue's own objects (``procrastinate_*``) out of autogenerate comparisons."""
    return not (name or "").startswith("procrastinate_")


if __name__ == "__main__":
    MIGRATIONS.main()
