"""Alembic environment of the webhooks service: its own schema, which holds its version table too."""

from __future__ import annotations

from pay_common.db.alembic_env import run_migrations
from webhooks.models import SCHEMA, WebhooksModel

run_migrations(WebhooksModel.metadata, schema=SCHEMA)
