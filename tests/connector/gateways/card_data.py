"""Checks that a card number and CVC were never written anywhere: logs, rows, answers."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from pay_common.logging import configure_logging

#: A CVC no test data contains, so any trace of it is a leak.
CVC = "913"


@contextmanager
def debug_logging(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """Every logger at DEBUG (structlog and the standard library) for the block."""
    configure_logging(service="connector", level="DEBUG", json=True)
    caplog.set_level(logging.DEBUG)
    try:
        yield
    finally:
        configure_logging(service="connector", level="INFO", json=True)


def _cvc_traces(output: str) -> list[str]:
    patterns = (rf"<cvc>\s*{CVC}", rf"cvc\]?\W{{0,4}}{CVC}\b", rf"cvc%5D={CVC}")
    return [m.group(0) for pattern in patterns for m in re.finditer(pattern, output, re.IGNORECASE)]


async def assert_never_kept(
    session: AsyncSession, number: str, captured_output: str, caplog: pytest.LogCaptureFixture, *answers: str
) -> None:
    logged = captured_output + "\n".join(
        record.getMessage() + repr(record.__dict__) for record in caplog.records
    )
    assert logged.strip(), "nothing was logged: the check would prove nothing"
    assert number not in logged
    assert not _cvc_traces(logged)
    for answer in answers:
        assert number not in answer
        assert not _cvc_traces(answer)
    tables = (
        await session.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'"))
    ).scalars()
    for table in list(tables):
        rows = (await session.execute(text(f'SELECT row_to_json(t)::text FROM "{table}" t'))).scalars().all()
        dump = "\n".join(rows)
        assert number not in dump, f"card number stored in {table}"
        assert not _cvc_traces(dump), f"CVC stored in {table}"
