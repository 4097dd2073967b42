"""Shared request dependencies: the settings of the app serving the request."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from webhooks.config import Settings
from webhooks.resolver import Resolver


async def get_settings_of(request: Request) -> Settings:
    # async: FastAPI would run a plain ``def`` dependency in a worker thread.
    return request.app.state.settings  # type: ignore[no-any-return]


SettingsDep = Annotated[Settings, Depends(get_settings_of)]


async def get_resolver(request: Request) -> Resolver:
    return request.app.state.resolver  # type: ignore[no-any-return]


ResolverDep = Annotated[Resolver, Depends(get_resolver)]
