"""The webhooks service's migrations build exactly the schema its models describe."""

from __future__ import annotations

import pytest

from pay_common.testing.database import schema_differences
from webhooks.models import SCHEMA, WebhooksModel


def _own_schema(name: str | None, type_: str, parent_names: object) -> bool:  # alembic hook
    # The connector's tables share the database: only the webhooks schema is compared.
    return type_ != "schema" or name == SCHEMA


@pytest.mark.asyncio
async def test_migrated_schema_matches_the_models(webhooks_database: str) -> None:
    differences = await schema_differences(
        webhooks_database,
        WebhooksModel.metadata,
        include_schemas=True,
        include_name=_own_schema,
        # Alembic's own bookkeeping table lives in the schema too; it is no model's.
        version_table_schema=SCHEMA,
    )

    assert differences == []
