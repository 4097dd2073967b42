"""The Alembic migrations build exactly the schema the ORM models describe."""

from __future__ import annotations

import pytest

from connector.migrate import include_name
from connector.models import Model
from pay_common.testing.database import schema_differences


@pytest.mark.asyncio
async def test_migrated_schema_matches_the_models(database_url: str) -> None:
    # procrastinate's tables come from its own schema script (0006), not from our models.
    assert await schema_differences(database_url, Model.metadata, include_name=include_name) == []
