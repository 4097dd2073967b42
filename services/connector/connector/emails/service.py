"""Send one owed email: through Notify, to the local mailbox, or not at all, and record which.

Not sent, as upstream (connector.md §14.4), when email delivery is off, the account switched
that email off, the account collects no email (``email_collection_mode=OFF``) or the payer gave
none. An account's own Notify settings are used when they hold an ``api_token`` and the
template of that email; otherwise the platform's. The address is never logged.

A resend (``POST .../resend-confirmation-email``) is sent in the request, through the same
:func:`attempt` as the job, so it answers whether the email went.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from connector import jobs
from connector.config import Settings
from connector.emails import personalisation, repository
from connector.emails.consumer import PAYMENT_CONFIRMED, REFUND_ISSUED
from connector.emails.notify import NotifyEmail, NotifyRefused, NotifyUnavailable, send_email
from connector.emails.state import DELIVERED, EmailStatus, transition_email
from connector.models import Charge, GatewayAccount, PaymentEmail
from pay_common.db.base import utc_now
from pay_common.db.session import unit_of_work
from pay_common.logging import get_logger

logger = get_logger(__name__)

#: The key of an account's ``notify_settings`` holding each email's template.
ACCOUNT_TEMPLATE_KEYS = {PAYMENT_CONFIRMED: "template_id", REFUND_ISSUED: "refund_issued_template_id"}
#: When Notify could not take a resend: how soon its job tries again (then the job's own backoff).
RESEND_RETRY_DELAY = timedelta(seconds=3)


@dataclass(frozen=True)
class Prepared:
    """An email ready to go, or the reason it will not (``skip``)."""

    skip: str | None = None
    to: str = ""
    template_id: str = ""
    api_key: str | None = None
    reply_to_id: str | None = None
    personalisation: dict[str, Any] | None = None


def _platform_template(settings: Settings, kind: str) -> str:
    if kind == PAYMENT_CONFIRMED:
        return settings.notify_payment_receipt_email_template_id
    return settings.notify_refund_issued_email_template_id


def _key_and_template(
    settings: Settings, account: GatewayAccount, kind: str
) -> tuple[str | None, str, str | None]:
    own = account.notify_settings or {}
    template = own.get(ACCOUNT_TEMPLATE_KEYS[kind])
    if own.get("api_token") and template:
        return str(own["api_token"]), str(template), own.get("email_reply_to_id")
    key = settings.notify_api_key.get_secret_value() if settings.notify_api_key else None
    return key, _platform_template(settings, kind), None


async def _prepare(session: AsyncSession, settings: Settings, email: PaymentEmail) -> Prepared:
    found = await repository.charge_and_account(session, email.charge_external_id)
    if found is None:
        return Prepared(skip="charge not found")
    charge, account = found
    setting = await repository.notification_setting(session, account.id, email.kind)
    if setting is not None and not setting.enabled:
        return Prepared(skip="switched off for the account")
    if account.email_collection_mode == "OFF":
        return Prepared(skip="the account collects no email address")
    if not charge.email:
        return Prepared(skip="no email address")
    values = await _personalisation(
        session, email, charge, account, setting.template_body if setting else None
    )
    if values is None:
        return Prepared(skip="refund not found")
    api_key, template_id, reply_to = _key_and_template(settings, account, email.kind)
    return Prepared(
        to=charge.email,
        template_id=template_id,
        api_key=api_key,
        reply_to_id=reply_to,
        personalisation=values,
    )


async def _personalisation(
    session: AsyncSession,
    email: PaymentEmail,
    charge: Charge,
    account: GatewayAccount,
    template_body: str | None,
) -> dict[str, Any] | None:
    if email.kind == PAYMENT_CONFIRMED:
        return personalisation.payment_confirmed(charge, account, template_body)
    refund = await repository.refund_of(session, email.refund_external_id)
    return None if refund is None else personalisation.refund_issued(charge, refund, account)


async def deliver(sessionmaker: async_sessionmaker[AsyncSession], settings: Settings, email_id: int) -> str:
    """Send the email (once: a row already finished is left alone); returns its status.

    Raises :class:`NotifyUnavailable` when Notify should be tried again (the job retries)."""
    async with unit_of_work(sessionmaker) as session:
        email = await repository.lock_email(session, email_id)
        if email is None or email.status != EmailStatus.PENDING:
            return email.status if email is not None else "MISSING"
        retry_later = await attempt(session, settings, email)
        status = email.status
    # Raised once the attempt is committed, so the row counts it.
    if retry_later is not None:
        raise NotifyUnavailable(retry_later)
    return status


async def attempt(session: AsyncSession, settings: Settings, email: PaymentEmail) -> str | None:
    """One delivery attempt of a PENDING email, recorded on the row (counted, finished or not).

    Returns the reason to try again later (Notify unavailable), or None when the row is finished."""
    retry_later: str | None = None
    email.attempts += 1
    mode = settings.effective_email_delivery
    prepared = (
        await _prepare(session, settings, email) if mode != "off" else Prepared(skip="email delivery is off")
    )
    email.template_id = prepared.template_id or None
    if prepared.skip is not None:
        transition_email(email, EmailStatus.NOT_SENT, prepared.skip)
    elif mode == "local":
        email.mailbox_to = prepared.to
        email.mailbox_personalisation = prepared.personalisation
        transition_email(email, EmailStatus.DELIVERED_LOCALLY)
    elif prepared.api_key is None:
        transition_email(email, EmailStatus.NOT_SENT, "no Notify API key configured")
    else:
        retry_later = await _send(email, settings, prepared)
    logger.info(
        "email.processed",
        email_id=email.id,
        kind=email.kind,
        source=email.source,
        status=email.status,
        detail=email.detail,
    )
    return retry_later


async def resend_confirmation(session: AsyncSession, settings: Settings, *, charge: Charge) -> bool:
    """Send the charge's payment confirmation again, now, as a new row; True when it went.

    As upstream's synchronous send: not sent (switched off, no address...) and refused are False.
    Notify unavailable is False too, and the row's job tries again later (upstream queues its
    retry task), committed with the row."""
    email = await repository.add_resend(session, PAYMENT_CONFIRMED, charge.external_id)
    retry_later = await attempt(session, settings, email)
    if retry_later is not None:
        await jobs.defer(
            session, jobs.SEND_EMAIL, {"email_id": email.id}, scheduled_at=utc_now() + RESEND_RETRY_DELAY
        )
    return email.status in DELIVERED


async def _send(email: PaymentEmail, settings: Settings, prepared: Prepared) -> str | None:
    """Hand the email to Notify; the reason to try again later, or None when it is finished."""
    assert prepared.api_key is not None
    assert prepared.personalisation is not None
    notify_email = NotifyEmail(
        api_key=prepared.api_key,
        template_id=prepared.template_id,
        to=prepared.to,
        personalisation=prepared.personalisation,
        reference=email.refund_external_id or email.charge_external_id,
        reply_to_id=prepared.reply_to_id,
    )
    try:
        email.notification_id = await send_email(
            notify_email, base_url=settings.notify_base_url, timeout=settings.notify_timeout_seconds
        )
    except NotifyRefused as exc:
        transition_email(email, EmailStatus.FAILED, str(exc))
        return None
    except NotifyUnavailable as exc:
        email.detail = str(exc)
        if email.attempts >= settings.notify_max_attempts:
            transition_email(email, EmailStatus.FAILED, f"gave up after {email.attempts} attempts: {exc}")
            return None
        return str(exc)
    transition_email(email, EmailStatus.SENT)
    return None
