"""A real connector process on a free port, for tests that need a URL rather than an app."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from tests.stubs.servers import serve_process


@contextmanager
def serve_connector(database_url: str) -> Iterator[str]:
    """Serve connector (uvicorn, own process) on ``database_url``; yields its base URL.

    A separate process, not a thread, so its log lines never mix into output a test
    captures (CliRunner, capsys). The listening socket is made here and inherited, so
    there is no race for the port.
    """
    with serve_process(
        lambda fd: ["-m", "uvicorn", "connector.main:app", "--fd", str(fd)],
        env={"CONNECTOR_DATABASE_URL": database_url, "CONNECTOR_RUN_WORKER": "false"},
        env_for=lambda url: {"CONNECTOR_BASE_URL": url},
        ready_path="/healthcheck",
        ready_status=200,
    ) as url:
        yield url
