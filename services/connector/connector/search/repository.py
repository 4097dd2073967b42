"""Search queries over charges and refunds, newest first, each filter backed by an index (0003)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import datetime
from typing import Any, TypeVarTuple

from sqlalchemy import (
    ColumnElement,
    Row,
    Select,
    Text,
    cast,
    func,
    select,
    text,
)
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import InstrumentedAttribute

from connector.charges.repository import VIEW_COLUMNS, columns_of
from connector.charges.state import statuses_for_external
from connector.models import Charge, Refund
from connector.search.schemas import ChargeSearch, Paging, RefundSearch

CSV_FETCH_SIZE = 2000
_Columns = TypeVarTuple("_Columns")


def contains(value: str) -> str:
    """An ``ILIKE`` pattern matching ``value`` anywhere, its wildcards taken literally."""
    escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def contains_ignoring_case(lowered: InstrumentedAttribute[str | None], value: str) -> ColumnElement[bool]:
    """``column ILIKE '%value%'``, as PostgreSQL evaluates it in a UTF8 database (both sides
    through ``lower()``), on the column's stored lower-cased copy: no ``lower()`` per row per
    query. The pattern is lower-cased by PostgreSQL too, with the same rules as the copy."""
    return lowered.like(func.lower(cast(contains(value), Text)))


def _dates(
    column: InstrumentedAttribute[datetime], start: datetime | None, end: datetime | None
) -> list[ColumnElement[bool]]:
    # from_date inclusive, to_date exclusive.
    conditions: list[ColumnElement[bool]] = []
    if start is not None:
        conditions.append(column >= start)
    if end is not None:
        conditions.append(column < end)
    return conditions


def charge_filters(account_id: int, search: ChargeSearch) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [Charge.gateway_account_id == account_id]
    if search.reference is not None:
        conditions.append(contains_ignoring_case(Charge.reference_lower, search.reference))
    if search.email is not None:
        conditions.append(contains_ignoring_case(Charge.email_lower, search.email))
    if search.cardholder_name is not None:
        conditions.append(contains_ignoring_case(Charge.cardholder_name_lower, search.cardholder_name))
    if search.state is not None:
        conditions.append(Charge.status.in_(sorted(s.value for s in statuses_for_external(search.state))))
    if search.card_brands:
        conditions.append(Charge.card_brand.in_(search.card_brands))
    if search.first_digits_card_number is not None:
        conditions.append(Charge.first_digits_card_number == search.first_digits_card_number)
    if search.last_digits_card_number is not None:
        conditions.append(Charge.last_digits_card_number == search.last_digits_card_number)
    if search.agreement_id is not None:
        conditions.append(Charge.agreement_external_id == search.agreement_id)
    conditions.extend(_dates(Charge.created_date, search.from_date, search.to_date))
    return conditions


async def plan_for_these_values(session: AsyncSession) -> None:
    """Plan each search statement for its actual values, in this transaction only.

    asyncpg prepares statements, and after five runs PostgreSQL may switch to a generic plan
    that cannot see the pattern: ``ILIKE '%ax%'`` (too short for trigrams) then goes through
    the trigram index over the whole table, 30 times slower than the account scan it needs.
    """
    await session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))


def count_query(conditions: list[ColumnElement[bool]]) -> Select[int]:
    return select(func.count()).select_from(Charge).where(*conditions)


async def count_charges(session: AsyncSession, conditions: list[ColumnElement[bool]]) -> int:
    return int(await session.scalar(count_query(conditions)) or 0)


async def count_charges_apart(
    sessionmaker: async_sessionmaker[AsyncSession], conditions: list[ColumnElement[bool]]
) -> int:
    """The count in a session of its own, so that it can run while the page is read."""
    async with sessionmaker() as session:
        return await count_charges(session, conditions)


def page_query(conditions: list[ColumnElement[bool]], paging: Paging) -> Select[Any]:
    return (
        select(*VIEW_COLUMNS)
        .where(*conditions)
        .order_by(Charge.created_date.desc(), Charge.id.desc())
        .offset(paging.offset)
        .limit(paging.display_size)
    )


async def charges_page(
    session: AsyncSession, conditions: list[ColumnElement[bool]], paging: Paging
) -> Sequence[Row[Any]]:
    rows: Sequence[Row[Any]] = (await columns_of(session, page_query(conditions, paging))).all()
    return rows


def has_partial_match(search: ChargeSearch) -> bool:
    return any(v is not None for v in (search.reference, search.email, search.cardholder_name))


def partial_match_query(conditions: list[ColumnElement[bool]], paging: Paging) -> Select[Any]:
    """The page's ``VIEW_COLUMNS`` and, after them, the ``total`` of all matches."""
    matches = select(Charge.id, Charge.created_date).where(*conditions).cte("matches")
    total = select(func.count()).select_from(matches).scalar_subquery()
    page_ids = (
        select(matches.c.id)
        .order_by(matches.c.created_date.desc(), matches.c.id.desc())
        .offset(paging.offset)
        .limit(paging.display_size)
    )
    return (
        select(*VIEW_COLUMNS, total.label("total"))
        .where(Charge.id.in_(page_ids.scalar_subquery()))
        .order_by(Charge.created_date.desc(), Charge.id.desc())
    )


async def count_and_page_of_partial_match(
    session: AsyncSession, conditions: list[ColumnElement[bool]], paging: Paging
) -> tuple[int, Sequence[Row[Any]]]:
    """``total`` and the page of a partial-match search, the account read once.

    A partial match that trigrams cannot narrow (``ax``, a common name) costs one filtered pass
    over the account's entries of the covering index, whether for the count or for a page of
    matches scattered through the account: so both come from that one pass (the matches' ids
    and dates, at most the account's size), and the page's rows are then read by primary key,
    all in one statement. Each row carries ``total`` after the ``VIEW_COLUMNS``.
    """
    rows = (await columns_of(session, partial_match_query(conditions, paging))).all()
    # No row: no match, or a page past the end; either way the caller's 404 check holds.
    return (int(rows[0].total) if rows else 0), rows


CSV_COLUMNS = (
    Charge.reference,
    Charge.amount,
    Charge.status,
    Charge.gateway_transaction_id,
    Charge.external_id,
    Charge.created_date,
)


async def stream_csv_rows(
    session: AsyncSession, conditions: list[ColumnElement[bool]]
) -> AsyncIterator[Sequence[tuple[str, int, str, str | None, str, datetime]]]:
    """Batches of CSV columns from a server-side cursor: memory stays flat whatever the row count."""
    query = (
        select(*CSV_COLUMNS)
        .where(*conditions)
        .order_by(Charge.created_date.desc(), Charge.id.desc())
        .execution_options(yield_per=CSV_FETCH_SIZE)
    )
    await plan_for_these_values(session)
    result = await session.stream(query)
    async for partition in result.partitions(CSV_FETCH_SIZE):
        yield [tuple(row) for row in partition]  # type: ignore[misc]


def refund_filters(account_id: int, search: RefundSearch) -> list[ColumnElement[bool]]:
    return [
        Charge.gateway_account_id == account_id,
        *_dates(Refund.created_date, search.from_date, search.to_date),
    ]


async def count_refunds(session: AsyncSession, conditions: list[ColumnElement[bool]]) -> int:
    query = (
        select(func.count())
        .select_from(Refund)
        .join(Charge, Charge.external_id == Refund.charge_external_id)
        .where(*conditions)
    )
    return int(await session.scalar(query) or 0)


async def refunds_page(
    session: AsyncSession, conditions: list[ColumnElement[bool]], paging: Paging
) -> Sequence[Refund]:
    query = (
        select(Refund)
        .join(Charge, Charge.external_id == Refund.charge_external_id)
        .where(*conditions)
        .order_by(Refund.created_date.desc(), Refund.id.desc())
        .offset(paging.offset)
        .limit(paging.display_size)
    )
    return (await session.scalars(query)).all()
