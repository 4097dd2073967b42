"""Every publicapi endpoint and dependency is ``async``: none runs in a worker thread."""

from __future__ import annotations

import pytest
from fastapi import FastAPI

from tests.worker_threads import threaded_calls

pytestmark = pytest.mark.asyncio


async def test_routes_stay_on_the_event_loop(publicapi_app: FastAPI) -> None:
    assert list(threaded_calls(publicapi_app)) == []
