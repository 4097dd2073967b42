from __future__ import annotations

import pytest

from pay_common.db.session import to_async_url
from pay_common.embedded import server_answers, with_database


def test_urls_are_switched_to_asyncpg_and_keep_socket_hosts() -> None:
    assert to_async_url("postgresql://u:p@h:5432/db") == "postgresql+asyncpg://u:p@h:5432/db"
    assert to_async_url("postgresql://postgres:@/pay?host=/tmp/sock") == (
        "postgresql+asyncpg://postgres:@/pay?host=%2Ftmp%2Fsock"
    ) or to_async_url("postgresql://postgres:@/pay?host=/tmp/sock").startswith("postgresql+asyncpg://")


def test_with_database_changes_only_the_database() -> None:
    assert with_database("postgresql://u@h:1/a", "b") == "postgresql://u@h:1/b"


@pytest.mark.asyncio
async def test_server_answers_is_false_for_a_closed_port() -> None:
    assert await server_answers("postgresql://postgres@127.0.0.1:1/postgres", timeout=0.5) is False


@pytest.mark.asyncio
async def test_server_answers_is_true_for_the_test_server(database_url: str) -> None:
    assert await server_answers(database_url) is True
