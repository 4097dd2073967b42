"""Annotated dependency aliases shared by every connector feature."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from connector.config import Settings


# Dependencies are ``async def`` even when they only read app state: FastAPI runs a plain
# ``def`` dependency in a worker thread, a thread round trip on every request.
async def get_app_settings(request: Request) -> Settings:
    return request.app.state.settings  # type: ignore[no-any-return]


SettingsDep = Annotated[Settings, Depends(get_app_settings)]
