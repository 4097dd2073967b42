"""Search queries over charges and refunds, newest first, each filter backed by an index (0003)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import AsyncIterator, Sequence
from datetime import datetime
from typing import Any, TypeVarTuple

from sqlalchemy import (
    BigInteger,
    BindParameter,
    ColumnElement,
    Result,
    Row,
    Select,
    String,
    Text,
    any_,
    bindparam,
    cast,
    func,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import InstrumentedAttribute

from connector.charges.state import ChargeStatus, statuses_for_external
from connector.models import CardType, Charge, ChargeEvent, Fee, Refund
from connector.refunds.schemas import COUNTED_STATUSES
from connector.search.schemas import ChargeSearch, Paging, RefundSearch

CSV_FETCH_SIZE = 2000
_Columns = TypeVarTuple("_Columns")


def contains(value: str) -> str:
    """An ``ILIKE`` pattern matching ``value`` anywhere, its wildcards taken literally."""
    escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


async def _core(session: AsyncSession, query: Select[*_Columns]) -> Result[*_Columns]:
    """Run a column query on the session's connection: plain rows, without the ORM's loading
    machinery (a third of the fetch time of a page of 500; the queries name columns, never
    entities, so nothing is lost)."""
    return await (await session.connection()).execute(query)


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


#: What the charge view reads. Rows, not entities: hydrating 500 ORM objects of 70 columns
#: each costs more than the query itself.
VIEW_COLUMNS = (
    Charge.id,
    Charge.external_id,
    Charge.gateway_account_id,
    Charge.amount,
    Charge.status,
    Charge.description,
    Charge.reference,
    Charge.gateway_transaction_id,
    Charge.payment_provider,
    Charge.created_date,
    Charge.return_url,
    Charge.email,
    Charge.language,
    Charge.delayed_capture,
    Charge.moto,
    Charge.authorisation_mode,
    Charge.corporate_surcharge,
    Charge.card_brand,
    Charge.card_type,
    Charge.last_digits_card_number,
    Charge.first_digits_card_number,
    Charge.cardholder_name,
    Charge.expiry_date,
    Charge.address_line1,
    Charge.address_line2,
    Charge.address_postcode,
    Charge.address_city,
    Charge.address_county,
    Charge.address_country,
    Charge.requires_3ds,
    Charge.version_3ds,
    Charge.wallet,
    Charge.external_metadata,
    Charge.agreement_external_id,
    Charge.agreement_payment_type,
    Charge.can_retry,
    Charge.pa_request_3ds,
    Charge.issuer_url_3ds,
    Charge.exemption_3ds_requested,
    Charge.exemption_3ds,
)


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
    rows: Sequence[Row[Any]] = (await _core(session, page_query(conditions, paging))).all()
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
    rows = (await _core(session, partial_match_query(conditions, paging))).all()
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


def _array(values: Sequence[Any], item: type[String] | type[BigInteger]) -> BindParameter[Any]:
    """One array parameter (``= ANY($1)``) instead of ``IN ($1, ..., $500)``: the statement text
    stays the same whatever the page size (asyncpg reuses its prepared statement) and there is
    no 500-parameter statement to render, send and parse for every page."""
    return bindparam(None, list(values), type_=ARRAY(item))


async def submitted_by_charge(session: AsyncSession, charge_ids: Sequence[str]) -> dict[str, int]:
    """Sum of counted refunds per charge, for the refund summaries of a page."""
    if not charge_ids:
        return {}
    rows = await _core(
        session,
        select(Refund.charge_external_id, func.sum(Refund.amount))
        .where(
            Refund.charge_external_id == any_(_array(charge_ids, String)),
            Refund.status.in_([str(s) for s in COUNTED_STATUSES]),
        )
        .group_by(Refund.charge_external_id),
    )
    return {charge_id: int(total) for charge_id, total in rows}


async def fees_by_charge(session: AsyncSession, charge_ids: Sequence[int]) -> dict[int, int]:
    """Sum of the fees collected per charge, for charges that have fee rows."""
    if not charge_ids:
        return {}
    rows = await _core(
        session,
        select(Fee.charge_id, func.sum(Fee.amount_collected))
        .where(Fee.charge_id == any_(_array(charge_ids, BigInteger)))
        .group_by(Fee.charge_id),
    )
    return {charge_id: int(total) for charge_id, total in rows}


async def settlement_events(
    session: AsyncSession, charge_ids: Sequence[int]
) -> dict[int, dict[str, datetime]]:
    """Per charge: the newest ``CAPTURE SUBMITTED`` time and the ``CAPTURED`` (gateway) date."""
    found: dict[int, dict[str, datetime]] = defaultdict(dict)
    if not charge_ids:
        return found
    rows = await _core(
        session,
        select(ChargeEvent.charge_id, ChargeEvent.status, ChargeEvent.updated, ChargeEvent.gateway_event_date)
        .where(
            ChargeEvent.charge_id == any_(_array(charge_ids, BigInteger)),
            ChargeEvent.status.in_([ChargeStatus.CAPTURE_SUBMITTED.value, ChargeStatus.CAPTURED.value]),
        )
        .order_by(ChargeEvent.updated),
    )
    for charge_id, status, updated, gateway_date in rows:
        if status == ChargeStatus.CAPTURE_SUBMITTED:
            found[charge_id]["capture_submit_time"] = updated
        else:
            found[charge_id]["captured_date"] = gateway_date or updated
    return found


async def card_labels(session: AsyncSession) -> dict[str, str]:
    """Card brand id → label (``visa`` → ``Visa``); the table has a handful of rows."""
    rows = await _core(session, select(CardType.brand, CardType.label))
    return {row.brand: row.label for row in rows}


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
