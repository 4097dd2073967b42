"""Finds route code that would run in a worker thread (used by each service's tests).

FastAPI runs a plain ``def`` endpoint or dependency in a thread pool: two thread round trips
per request, which the create-payment benchmark measured as the largest single cost after
the connection pool (docs/benchmarks.md). Every endpoint and every dependency is ``async``.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterable, Iterator
from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute
from starlette.routing import BaseRoute


def _runs_on_the_loop(call: Any) -> bool:
    if inspect.iscoroutinefunction(call) or inspect.isasyncgenfunction(call):
        return True
    dunder_call = inspect.getattr_static(type(call), "__call__", None)  # e.g. HTTPBearer instances
    return not inspect.isfunction(call) and (
        inspect.iscoroutinefunction(dunder_call) or inspect.isasyncgenfunction(dunder_call)
    )


def _api_routes(routes: Iterable[BaseRoute]) -> Iterator[APIRoute]:
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        included = getattr(route, "original_router", None)  # an include_router() entry
        if included is not None:
            yield from _api_routes(included.routes)


def threaded_calls(app: FastAPI) -> Iterator[str]:
    routes = list(_api_routes(app.routes))
    assert routes, "no API routes found: has FastAPI changed how it keeps included routers?"
    for route in routes:
        pending = [route.dependant]
        while pending:
            dependant = pending.pop()
            pending.extend(dependant.dependencies)
            if dependant.call is not None and not _runs_on_the_loop(dependant.call):
                yield f"{route.path}: {getattr(dependant.call, '__qualname__', dependant.call)}"
