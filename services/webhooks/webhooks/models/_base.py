"""The webhooks service's declarative base: its tables live in their own schema, ``webhooks``.

The service may share a PostgreSQL database with connector (``make run`` does); its own
schema keeps the two sets of tables and migrations apart.
"""

from __future__ import annotations

from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

from pay_common.db.base import NAMING_CONVENTION

SCHEMA = "webhooks"


class WebhooksModel(DeclarativeBase):
    metadata = MetaData(schema=SCHEMA, naming_convention=NAMING_CONVENTION)
