"""Database access for gateway accounts, their credentials, notifications and card types."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import delete, func, insert, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from connector.accounts.schemas import MAX_BIGINT
from connector.models import (
    CardType,
    EmailNotification,
    GatewayAccount,
    GatewayAccountCredential,
    GatewayAccountStripeSetup,
    accepted_card_types,
)


@dataclass(frozen=True)
class AccountFilters:
    """Column filters of ``GET /v1/api/accounts``; ``None`` means "not filtered"."""

    account_ids: list[int] | None = None
    service_ids: list[str] | None = None
    allow_moto: bool | None = None
    allow_apple_pay: bool | None = None
    allow_google_pay: bool | None = None
    requires_3ds: bool | None = None
    type: str | None = None
    provider_switch_enabled: bool | None = None
    recurring_enabled: bool | None = None


async def get_by_id(
    session: AsyncSession, account_id: int, *, for_update: bool = False
) -> GatewayAccount | None:
    if not 0 < account_id <= MAX_BIGINT:
        return None
    statement = select(GatewayAccount).where(GatewayAccount.id == account_id)
    if for_update:
        statement = statement.with_for_update()
    return (await session.scalars(statement)).one_or_none()


async def get_by_external_id(session: AsyncSession, external_id: str) -> GatewayAccount | None:
    statement = select(GatewayAccount).where(GatewayAccount.external_id == external_id)
    return (await session.scalars(statement)).one_or_none()


async def search(session: AsyncSession, filters: AccountFilters) -> Sequence[GatewayAccount]:
    statement = select(GatewayAccount).order_by(GatewayAccount.id)
    if filters.account_ids is not None:
        statement = statement.where(GatewayAccount.id.in_(filters.account_ids))
    if filters.service_ids is not None:
        statement = statement.where(GatewayAccount.service_id.in_(filters.service_ids))
    if filters.type is not None:
        statement = statement.where(GatewayAccount.type == filters.type)
    flags = {
        GatewayAccount.allow_moto: filters.allow_moto,
        GatewayAccount.allow_apple_pay: filters.allow_apple_pay,
        GatewayAccount.allow_google_pay: filters.allow_google_pay,
        GatewayAccount.requires_3ds: filters.requires_3ds,
        GatewayAccount.provider_switch_enabled: filters.provider_switch_enabled,
        GatewayAccount.recurring_enabled: filters.recurring_enabled,
    }
    for column, wanted in flags.items():
        if wanted is not None:
            statement = statement.where(column.is_(wanted))
    return (await session.scalars(statement)).all()


async def credentials_by_account(
    session: AsyncSession, account_ids: Sequence[int]
) -> dict[int, list[GatewayAccountCredential]]:
    rows = await session.scalars(
        select(GatewayAccountCredential)
        .where(GatewayAccountCredential.gateway_account_id.in_(account_ids))
        .order_by(GatewayAccountCredential.id)
    )
    grouped: dict[int, list[GatewayAccountCredential]] = defaultdict(list)
    for credential in rows:
        grouped[credential.gateway_account_id].append(credential)
    return grouped


async def credentials_of(session: AsyncSession, account_id: int) -> list[GatewayAccountCredential]:
    return (await credentials_by_account(session, [account_id])).get(account_id, [])


async def notifications_by_account(
    session: AsyncSession, account_ids: Sequence[int]
) -> dict[int, dict[str, EmailNotification]]:
    rows = await session.scalars(
        select(EmailNotification).where(EmailNotification.account_id.in_(account_ids))
    )
    grouped: dict[int, dict[str, EmailNotification]] = defaultdict(dict)
    for row in rows:
        grouped[row.account_id][row.type] = row
    return grouped


async def notification(
    session: AsyncSession, account_id: int, notification_type: str
) -> EmailNotification | None:
    return (
        await session.scalars(
            select(EmailNotification).where(
                EmailNotification.account_id == account_id, EmailNotification.type == notification_type
            )
        )
    ).one_or_none()


async def lock_service(session: AsyncSession, service_id: str) -> None:
    """Serialise account creation per service, so the one-live-account rule cannot race."""
    await session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": f"svc:{service_id}"})


async def service_accounts(session: AsyncSession, service_id: str) -> Sequence[GatewayAccount]:
    return (
        await session.scalars(select(GatewayAccount).where(GatewayAccount.service_id == service_id))
    ).all()


async def all_card_types(session: AsyncSession) -> Sequence[CardType]:
    return (await session.scalars(select(CardType).order_by(CardType.brand, CardType.type))).all()


async def card_types_by_ids(session: AsyncSession, ids: Sequence[object]) -> Sequence[CardType]:
    return (await session.scalars(select(CardType).where(CardType.id.in_(ids)))).all()


async def accepted_card_types_of(session: AsyncSession, account_id: int) -> Sequence[CardType]:
    return (
        await session.scalars(
            select(CardType)
            .join(accepted_card_types, accepted_card_types.c.card_type_id == CardType.id)
            .where(accepted_card_types.c.gateway_account_id == account_id)
            .order_by(CardType.brand, CardType.type)
        )
    ).all()


async def replace_accepted_card_types(session: AsyncSession, account_id: int, ids: Sequence[object]) -> None:
    await session.execute(
        delete(accepted_card_types).where(accepted_card_types.c.gateway_account_id == account_id)
    )
    if ids:
        await session.execute(
            insert(accepted_card_types),
            [{"gateway_account_id": account_id, "card_type_id": card_type_id} for card_type_id in ids],
        )


async def any_accepted_requires_3ds(session: AsyncSession, account_id: int) -> bool:
    count = await session.scalar(
        select(func.count())
        .select_from(accepted_card_types)
        .join(CardType, CardType.id == accepted_card_types.c.card_type_id)
        .where(accepted_card_types.c.gateway_account_id == account_id, CardType.requires_3ds.is_(True))
    )
    return bool(count)


async def non_3ds_card_type_ids(session: AsyncSession) -> Sequence[object]:
    return (await session.scalars(select(CardType.id).where(CardType.requires_3ds.is_(False)))).all()


async def stripe_setup_tasks(session: AsyncSession, account_id: int) -> set[str]:
    rows = await session.scalars(
        select(GatewayAccountStripeSetup.task).where(
            GatewayAccountStripeSetup.gateway_account_id == account_id
        )
    )
    return set(rows)


async def set_stripe_setup_task(session: AsyncSession, account_id: int, task: str, done: bool) -> None:
    if done:
        await session.execute(
            pg_insert(GatewayAccountStripeSetup)
            .values(gateway_account_id=account_id, task=task)
            .on_conflict_do_nothing(index_elements=["gateway_account_id", "task"])
        )
    else:
        await session.execute(
            delete(GatewayAccountStripeSetup).where(
                GatewayAccountStripeSetup.gateway_account_id == account_id,
                GatewayAccountStripeSetup.task == task,
            )
        )
