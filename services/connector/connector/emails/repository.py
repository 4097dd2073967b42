"""SQL of payer emails: the owed row (once per charge, kind and refund), resends and the local mailbox."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from connector.models import Charge, EmailNotification, GatewayAccount, PaymentEmail, Refund


async def add_owed(session: AsyncSession, kind: str, charge_id: str, refund_id: str = "") -> int | None:
    """The new row's id, or None when this email was already owed (a redelivered event)."""
    made = await add_owed_many(session, [(kind, charge_id, refund_id)])
    return made[0] if made else None


async def add_owed_many(session: AsyncSession, owed: Sequence[tuple[str, str, str]]) -> list[int]:
    """:func:`add_owed` for a batch of (kind, charge id, refund id) in one statement: the new
    rows' ids (none for the emails already owed)."""
    if not owed:
        return []
    statement = (
        insert(PaymentEmail)
        .values([{"kind": k, "charge_external_id": c, "refund_external_id": r} for k, c, r in owed])
        .on_conflict_do_nothing(
            index_elements=["charge_external_id", "kind", "refund_external_id"],
            # The arbiter is the partial unique index of the event stream's rows.
            index_where=text("source = 'EVENT'"),
        )
        .returning(PaymentEmail.id)
    )
    return list((await session.scalars(statement)).all())


async def add_resend(session: AsyncSession, kind: str, charge_id: str) -> PaymentEmail:
    """A new row for one resend request (never a duplicate: each request is an email of its own)."""
    email = PaymentEmail(kind=kind, charge_external_id=charge_id, refund_external_id="", source="RESEND")
    session.add(email)
    await session.flush()
    await session.refresh(email)
    return email


async def delayed_capture_charges(session: AsyncSession, charge_ids: Sequence[str]) -> set[str]:
    """Which of these charges are delayed-capture ones (one query for a batch of events)."""
    if not charge_ids:
        return set()
    found = await session.scalars(
        select(Charge.external_id).where(Charge.external_id.in_(charge_ids), Charge.delayed_capture.is_(True))
    )
    return set(found)


async def lock_email(session: AsyncSession, email_id: int) -> PaymentEmail | None:
    query = select(PaymentEmail).where(PaymentEmail.id == email_id).with_for_update(skip_locked=True)
    return (await session.execute(query)).scalar_one_or_none()


async def charge_and_account(session: AsyncSession, charge_id: str) -> tuple[Charge, GatewayAccount] | None:
    query = (
        select(Charge, GatewayAccount)
        .join(GatewayAccount, GatewayAccount.id == Charge.gateway_account_id)
        .where(Charge.external_id == charge_id)
    )
    row = (await session.execute(query)).first()
    return None if row is None else (row[0], row[1])


async def refund_of(session: AsyncSession, refund_id: str) -> Refund | None:
    return await session.scalar(select(Refund).where(Refund.external_id == refund_id))


async def notification_setting(session: AsyncSession, account_id: int, kind: str) -> EmailNotification | None:
    query = select(EmailNotification).where(
        EmailNotification.account_id == account_id, EmailNotification.type == kind
    )
    return await session.scalar(query)


async def mailbox(session: AsyncSession, limit: int) -> Sequence[PaymentEmail]:
    query = (
        select(PaymentEmail)
        .where(PaymentEmail.status == "DELIVERED_LOCALLY")
        .order_by(PaymentEmail.id.desc())
        .limit(limit)
    )
    return (await session.execute(query)).scalars().all()
