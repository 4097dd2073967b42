"""Alembic environment of connector: its models' tables, in the ``public`` schema."""

from __future__ import annotations

import connector.models  # noqa: F401  (registers every table on the metadata)
from connector.migrate import include_name
from pay_common.db.alembic_env import run_migrations
from pay_common.db.base import Model

run_migrations(Model.metadata, include_name=include_name)
