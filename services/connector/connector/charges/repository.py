"""Queries of the charges feature: charges (and their row locks), events, refunds, card-type labels.

Every feature that reads or locks "a charge" (of an account, by external id, by row id) goes
through the loaders here: authorisation, capture, cancel, refunds and the views.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, cast

from sqlalchemy import DateTime, Select, String, Table, Text, bindparam, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from connector.accounts.schemas import parse_account_id
from connector.charges.state import ChargeStatus
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


async def credentials_for(session: AsyncSession, charge: Charge) -> dict[str, Any]:
    """The provider credentials the charge was created with (empty for sandbox)."""
    if charge.gateway_account_credential_id is None:
        return {}
    credential = await session.get(GatewayAccountCredential, charge.gateway_account_credential_id)
    return dict(credential.credentials) if credential else {}


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


async def latest_event_in(session: AsyncSession, charge_id: int, status: str) -> ChargeEvent | None:
    statement = (
        select(ChargeEvent)
        .where(ChargeEvent.charge_id == charge_id, ChargeEvent.status == status)
        .order_by(ChargeEvent.updated.desc(), ChargeEvent.id.desc())
        .limit(1)
    )
    return await session.scalar(statement)


async def fees_collected(session: AsyncSession, charge_id: int) -> int | None:
    """Sum of the fees collected for a charge, or None when it has no fee rows."""
    statement = select(func.sum(Fee.amount_collected)).where(Fee.charge_id == charge_id)
    total = await session.scalar(statement)
    return None if total is None else int(total)


async def refunds_of(session: AsyncSession, charge_external_id: str) -> Sequence[Refund]:
    statement = select(Refund).where(Refund.charge_external_id == charge_external_id).order_by(Refund.id)
    return (await session.scalars(statement)).all()


async def refund_history_of(session: AsyncSession, charge_external_id: str) -> Sequence[RefundHistory]:
    statement = (
        select(RefundHistory)
        .where(RefundHistory.charge_external_id == charge_external_id)
        .order_by(RefundHistory.history_start_date, RefundHistory.id)
    )
    return (await session.scalars(statement)).all()


async def card_brand_label(session: AsyncSession, brand: str) -> str | None:
    """The label of a card brand id (``visa`` → ``Visa``); None when the brand is unknown."""
    statement = select(CardType.label).where(CardType.brand == brand).order_by(CardType.type).limit(1)
    return await session.scalar(statement)
