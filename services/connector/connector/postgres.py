"""The connector's database dependencies: one unit of work per request.

``SessionDep`` yields a session that commits after the endpoint returns but before the
response is sent (``scope="function"``), and rolls back on any error.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pay_common.db.session import unit_of_work


def _sessionmaker_of(request: Request) -> async_sessionmaker[AsyncSession]:
    return request.app.state.sessionmaker  # type: ignore[no-any-return]


async def get_sessionmaker(request: Request) -> async_sessionmaker[AsyncSession]:
    # async: FastAPI would run a plain ``def`` dependency in a worker thread.
    return _sessionmaker_of(request)


async def get_db_session(request: Request) -> AsyncIterator[AsyncSession]:
    async with unit_of_work(_sessionmaker_of(request)) as session:
        yield session


SessionDep = Annotated[AsyncSession, Depends(get_db_session, scope="function")]
SessionmakerDep = Annotated[async_sessionmaker[AsyncSession], Depends(get_sessionmaker)]
