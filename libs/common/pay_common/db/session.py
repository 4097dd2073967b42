"""Engine and session factories, and the per-request unit of work.

A request gets one :class:`AsyncSession`. Services ``flush()``; only the unit of work
commits, after the endpoint returns and *before* the response is sent, so a failed
commit becomes a 5xx rather than a false 2xx. On any error it rolls back.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, Protocol

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine


def to_async_url(url: str) -> str:
    """Accept ``postgresql://`` URLs (and socket-directory ``?host=`` URLs) and use asyncpg."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres", "postgresql+psycopg2", "postgresql+psycopg"):
        parsed = parsed.set(drivername="postgresql+asyncpg")
    return parsed.render_as_string(hide_password=False)


def create_engine(
    url: str,
    *,
    application_name: str,
    pool_size: int = 10,
    max_overflow: int = 20,
    command_timeout: float = 30.0,
    echo: bool = False,
) -> AsyncEngine:
    """An asyncpg engine with explicit timeouts and the service's application_name."""
    connect_args: dict[str, Any] = {
        "timeout": 5,
        "command_timeout": command_timeout,
        "server_settings": {"application_name": application_name},
    }
    return create_async_engine(
        to_async_url(url),
        pool_size=pool_size,
        max_overflow=max_overflow,
        pool_pre_ping=False,
        connect_args=connect_args,
        echo=echo,
    )


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


class DatabaseSettings(Protocol):
    """The database settings of a service that owns tables."""

    @property
    def database_url(self) -> str: ...

    @property
    def db_pool_size(self) -> int: ...

    @property
    def db_max_overflow(self) -> int: ...


def attach_database(app: Any, settings: DatabaseSettings, *, application_name: str) -> AsyncEngine:
    """A web app's engine (its pool sized by ``settings``) and sessionmaker, kept on ``app.state``.

    The caller disposes of the engine when the app stops.
    """
    engine = create_engine(
        settings.database_url,
        application_name=application_name,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
    )
    app.state.engine = engine
    app.state.sessionmaker = create_sessionmaker(engine)
    return engine


@asynccontextmanager
async def unit_of_work(sessionmaker: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """A session that commits on clean exit and rolls back on error (tasks and requests)."""
    async with sessionmaker() as session:
        try:
            yield session
        except BaseException:
            await session.rollback()
            raise
        else:
            await session.commit()


async def database_is_up(engine: AsyncEngine) -> bool:
    """True when a trivial query succeeds; used by ``/healthcheck``."""
    try:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    except Exception:
        return False
    return True
