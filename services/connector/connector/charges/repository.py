"""Queries of the charges feature: charges (and their row locks), events, refunds, card-type labels.

Every feature that reads or locks "a charge" (of an account, by external id, by row id) goes
through the loaders here: authorisation, capture, cancel, refunds and the views.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, TypeVarTuple, cast

from sqlalchemy import (
    BigInteger,
    BindParameter,
    DateTime,
    Result,
    Row,
    Select,
    String,
    Table,
    Text,
    and_,
    any_,
    bindparam,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession

from connector.accounts.schemas import parse_account_id
from connector.charges.state import ChargeStatus
from connector.gateways.credentials import ProviderCredentials, stored_credentials
from connector.models import (
    CardType,
    Charge,
    ChargeEvent,
    Fee,
    GatewayAccount,
    GatewayAccountCredential,
    Refund,
    RefundHistory,
    Token,
)
from connector.refunds.state import COUNTED_STATUSES
from pay_common.db.base import utc_now

_Columns = TypeVarTuple("_Columns")


async def account_with_credentials(
    session: AsyncSession, account_id: int
) -> tuple[GatewayAccount, list[GatewayAccountCredential]] | None:
    """The account and its credentials (oldest first) in one round trip; None when there is no account.

    What ``accounts_repository.get_by_id`` and ``credentials_of`` return, for the create path.
    """
    rows = (
        await session.execute(
            select(GatewayAccount, GatewayAccountCredential)
            .outerjoin(
                GatewayAccountCredential, GatewayAccountCredential.gateway_account_id == GatewayAccount.id
            )
            .where(GatewayAccount.id == account_id)
            .order_by(GatewayAccountCredential.id)
        )
    ).all()
    if not rows:
        return None
    return rows[0][0], [row[1] for row in rows if row[1] is not None]


#: The columns a new charge is inserted with (``service._create`` fills every one of them).
NEW_CHARGE_COLUMNS = (
    "external_id",
    "amount",
    "status",
    "return_url",
    "gateway_account_id",
    "gateway_account_credential_id",
    "payment_provider",
    "description",
    "reference",
    "email",
    "language",
    "delayed_capture",
    "moto",
    "external_metadata",
    "source",
    "authorisation_mode",
    "service_id",
    "agreement_external_id",
    "agreement_payment_type",
    "save_payment_instrument_to_agreement",
    "created_date",
    "updated_date",
    "cardholder_name",
    "address_line1",
    "address_line2",
    "address_postcode",
    "address_city",
    "address_county",
    "address_country",
)


def _insert_charge_statement(*, with_token: bool) -> Select[Any]:
    """``WITH charge AS (INSERT … RETURNING id), event AS (INSERT …), token AS (INSERT …) SELECT id``.

    PostgreSQL runs every data-modifying CTE to completion whether or not the outer query reads
    it, and checks the foreign keys at the end of the statement, so the charge, its first event
    and its token go in one round trip. Built once: only the parameters change per request.
    """
    charges, events, tokens = (cast(Table, model.__table__) for model in (Charge, ChargeEvent, Token))
    new_charge = (
        insert(charges)
        .values({name: bindparam(name, type_=charges.c[name].type) for name in NEW_CHARGE_COLUMNS})
        .returning(charges.c.id, charges.c.created_date)
        .cte("new_charge")
    )
    event = insert(events).from_select(
        ["charge_id", "status", "event_name", "updated"],
        select(
            new_charge.c.id,
            bindparam("event_status", type_=Text()),
            bindparam("event_name", type_=String()),
            bindparam("event_updated", type_=DateTime(timezone=True)),
        ),
    )
    statement = select(new_charge.c.id).add_cte(event.cte("new_event"))
    if with_token:
        token = insert(tokens).from_select(
            ["charge_id", "secure_redirect_token", "created_date", "used"],
            select(
                new_charge.c.id,
                bindparam("token", type_=String()),
                new_charge.c.created_date,
                bindparam("token_used", False),
            ),
        )
        statement = statement.add_cte(token.cte("new_token"))
    return statement


_INSERT_CHARGE = _insert_charge_statement(with_token=False)
_INSERT_CHARGE_WITH_TOKEN = _insert_charge_statement(with_token=True)


async def insert_charge(
    session: AsyncSession,
    values: Mapping[str, Any],
    *,
    event_status: str,
    event_name: str | None,
    token: str | None,
) -> int:
    """Insert a new charge with its first ``charge_events`` row (and its one-time token, if any)
    in one statement, without ORM objects; return the charge's id.

    ``values`` holds every :data:`NEW_CHARGE_COLUMNS` entry; the event is dated ``updated_date``
    and the token (unused) takes the charge's ``created_date``, as ``tokens_repository`` does.
    """
    params = {
        **values,
        "event_status": event_status,
        "event_name": event_name,
        "event_updated": values["updated_date"],
    }
    if token is None:
        statement = _INSERT_CHARGE
    else:
        statement, params["token"] = _INSERT_CHARGE_WITH_TOKEN, token
    connection = await session.connection()
    charge_id: int = (await connection.execute(statement, params)).scalar_one()
    return charge_id


def _plausible_id(external_id: str) -> bool:
    # Anything the column could never hold (NUL bytes, huge strings) is simply "not found".
    return 0 < len(external_id) <= 64 and "\x00" not in external_id


async def get_by_external_id(
    session: AsyncSession, external_id: str, *, for_update: bool = False
) -> Charge | None:
    if not _plausible_id(external_id):
        return None
    statement = select(Charge).where(Charge.external_id == external_id)
    if for_update:
        statement = statement.with_for_update(of=Charge)
    return await session.scalar(statement)


async def get_for_account(
    session: AsyncSession, account_id: int | None, external_id: str, *, for_update: bool = False
) -> Charge | None:
    """The charge only if it belongs to ``account_id`` (another account's charge is "not found").

    ``for_update`` takes the row lock: two requests that could race for one charge (capture,
    cancel, refund) serialise on it, and the loser sees the winner's status.
    """
    if account_id is None or not _plausible_id(external_id):
        return None
    statement = select(Charge).where(
        Charge.external_id == external_id, Charge.gateway_account_id == account_id
    )
    if for_update:
        statement = statement.with_for_update(of=Charge)
    return await session.scalar(statement)


async def lock_charge(session: AsyncSession, external_id: str) -> Charge | None:
    """The charge by external id, row-locked (``SELECT ... FOR UPDATE``)."""
    return await get_by_external_id(session, external_id, for_update=True)


async def lock_charge_for_account(session: AsyncSession, account_id: str, external_id: str) -> Charge | None:
    """The charge if it belongs to gateway account ``account_id`` (the path segment), row-locked."""
    return await get_for_account(session, parse_account_id(account_id), external_id, for_update=True)


async def lock_charge_by_id(
    session: AsyncSession, charge_id: int, *, skip_locked: bool = False
) -> Charge | None:
    return await session.scalar(
        select(Charge).where(Charge.id == charge_id).with_for_update(of=Charge, skip_locked=skip_locked)
    )


async def claim_due_capture(
    session: AsyncSession,
    *,
    retry_due: datetime,
    stale: datetime,
    external_id: str | None,
    stale_only: bool,
) -> Charge | None:
    """The oldest charge the capture queue may take now, row-locked with SKIP LOCKED: approved or
    queued, a retry whose delay (``retry_due``) has passed, or an intent left in CAPTURE_READY
    since ``stale`` (only those when ``stale_only``); ``external_id`` narrows it to one charge."""
    stale_intent = and_(Charge.status == ChargeStatus.CAPTURE_READY.value, Charge.updated_date <= stale)
    due = select(Charge).where(
        stale_intent
        if stale_only
        else or_(
            Charge.status.in_([ChargeStatus.CAPTURE_APPROVED.value, ChargeStatus.CAPTURE_QUEUED.value]),
            and_(
                Charge.status == ChargeStatus.CAPTURE_APPROVED_RETRY.value, Charge.updated_date <= retry_due
            ),
            stale_intent,
        )
    )
    if external_id is not None:  # a capture job names its charge
        due = due.where(Charge.external_id == external_id)
    return await session.scalar(due.order_by(Charge.updated_date).limit(1).with_for_update(skip_locked=True))


async def status_of(session: AsyncSession, charge_id: int) -> str | None:
    """The charge's current status, read without a lock."""
    return await session.scalar(select(Charge.status).where(Charge.id == charge_id))


async def claim_stale_charge(
    session: AsyncSession, statuses: frozenset[str], cutoff: datetime, seen: set[int]
) -> Charge | None:
    """The oldest charge in ``statuses`` untouched since ``cutoff`` (and not in ``seen``), row-locked
    with SKIP LOCKED; its ``updated_date`` is stamped so a concurrent sweeper passes it over."""
    charge = await session.scalar(
        select(Charge)
        .where(
            Charge.status.in_(sorted(statuses)),
            Charge.updated_date <= cutoff,
            Charge.id.not_in(seen or {0}),
        )
        .order_by(Charge.updated_date)
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    if charge is not None:
        await session.execute(update(Charge).where(Charge.id == charge.id).values(updated_date=utc_now()))
    return charge


async def credentials_for(session: AsyncSession, charge: Charge) -> ProviderCredentials | None:
    """The typed credentials the charge was created with; None when unusable (``stored_credentials``)."""
    credential = None
    if charge.gateway_account_credential_id is not None:
        credential = await session.get(GatewayAccountCredential, charge.gateway_account_credential_id)
    return stored_credentials(charge.payment_provider, credential.credentials if credential else None)


async def count_events(session: AsyncSession, charge_id: int, statuses: frozenset[ChargeStatus]) -> int:
    """How many ``charge_events`` rows of the charge are in one of ``statuses``."""
    found = await session.scalar(
        select(func.count())
        .select_from(ChargeEvent)
        .where(ChargeEvent.charge_id == charge_id, ChargeEvent.status.in_([s.value for s in statuses]))
    )
    return int(found or 0)


async def events_of(session: AsyncSession, charge_id: int) -> Sequence[ChargeEvent]:
    """Every status the charge entered, oldest first."""
    statement = (
        select(ChargeEvent)
        .where(ChargeEvent.charge_id == charge_id)
        .order_by(ChargeEvent.updated, ChargeEvent.id)
    )
    return (await session.scalars(statement)).all()


async def refund_history_of(session: AsyncSession, charge_external_id: str) -> Sequence[RefundHistory]:
    statement = (
        select(RefundHistory)
        .where(RefundHistory.charge_external_id == charge_external_id)
        .order_by(RefundHistory.history_start_date, RefundHistory.id)
    )
    return (await session.scalars(statement)).all()


#: What the charge view reads (``service._views.charge_view`` unpacks it by position).
#: Rows, not entities: hydrating 500 ORM objects of 70 columns each costs more than the query.
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


async def columns_of(session: AsyncSession, query: Select[*_Columns]) -> Result[*_Columns]:
    """Run a column query on the session's connection: plain rows, without the ORM's loading
    machinery (a third of the fetch time of a page of 500; the queries name columns, never
    entities, so nothing is lost)."""
    return await (await session.connection()).execute(query)


def _array(values: Sequence[Any], item: type[String] | type[BigInteger]) -> BindParameter[Any]:
    """One array parameter (``= ANY($1)``) instead of ``IN ($1, ..., $500)``: the statement text
    stays the same whatever the page size (asyncpg reuses its prepared statement) and there is
    no 500-parameter statement to render, send and parse for every page."""
    return bindparam(None, list(values), type_=ARRAY(item))


async def view_rows(session: AsyncSession, external_ids: Sequence[str]) -> Sequence[Row[Any]]:
    """The ``VIEW_COLUMNS`` of the charges of these external ids (any account), in one query."""
    if not external_ids:
        return []
    query = select(*VIEW_COLUMNS).where(Charge.external_id == any_(_array(external_ids, String)))
    return (await columns_of(session, query)).all()


async def submitted_by_charge(session: AsyncSession, charge_ids: Sequence[str]) -> dict[str, int]:
    """Sum of counted refunds per charge (by external id), for the refund summaries."""
    if not charge_ids:
        return {}
    rows = await columns_of(
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
    rows = await columns_of(
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
    rows = await columns_of(
        session,
        select(ChargeEvent.charge_id, ChargeEvent.status, ChargeEvent.updated, ChargeEvent.gateway_event_date)
        .where(
            ChargeEvent.charge_id == any_(_array(charge_ids, BigInteger)),
            ChargeEvent.status.in_([ChargeStatus.CAPTURE_SUBMITTED.value, ChargeStatus.CAPTURED.value]),
        )
        .order_by(ChargeEvent.updated, ChargeEvent.id),
    )
    for charge_id, status, updated, gateway_date in rows:
        if status == ChargeStatus.CAPTURE_SUBMITTED:
            found[charge_id]["capture_submit_time"] = updated
        else:
            found[charge_id]["captured_date"] = gateway_date or updated
    return found


async def card_labels(session: AsyncSession) -> dict[str, str]:
    """Card brand id → label (``visa`` → ``Visa``); the table has a handful of rows."""
    rows = await columns_of(session, select(CardType.brand, CardType.label).order_by(CardType.type.desc()))
    # Ordered so that, for a brand of several types, the first type's label (CREDIT) wins.
    return {row.brand: row.label for row in rows}
