"""Which PostgreSQL server the tests use.

In order: ``TEST_DATABASE_URL`` if set; else the server on 127.0.0.1:5432 if it
answers; else an embedded server in a temporary folder (deleted at exit). Each test
session then works in a fresh database of its own, so sessions run side by side.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from pay_common.embedded import admin_url_of, server_answers, start_embedded

LOCAL_SERVER_URL = "postgresql://postgres@127.0.0.1:5432/postgres"

_embedded: list[Any] = []  # keeps the embedded server handle alive for the session


async def find_test_server() -> tuple[str, str]:
    """Return ``(admin_url, where)``: a URL to a maintenance database and how it was found."""
    configured = os.environ.get("TEST_DATABASE_URL")
    if configured:
        return configured, "TEST_DATABASE_URL"
    if await server_answers(LOCAL_SERVER_URL, timeout=1.0):
        return LOCAL_SERVER_URL, "local server on 127.0.0.1:5432"
    folder = Path(tempfile.mkdtemp(prefix="pay-test-pg-"))
    server = start_embedded(folder / "data", delete_on_exit=True)
    _embedded.append(server)
    return admin_url_of(server), "embedded server"
