"""What the two Notify templates are given (connector.md §14.4), from the charge and account."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from connector.models import Charge, GatewayAccount, Refund

LONDON = ZoneInfo("Europe/London")


def pounds(pence: int) -> str:
    """``1234`` → ``12.34`` (the templates put the £ in front)."""
    return f"{pence // 100}.{pence % 100:02d}"


def email_date(moment: datetime) -> str:
    """``2 December 2026 - 10:15:30``, London time, as upstream's emails show it."""
    local = moment.astimezone(LONDON)
    return f"{local.day} {local:%B %Y - %H:%M:%S}"


def custom_paragraph(template_body: str | None, reference: str) -> str:
    """The account's own paragraph, as Notify markdown ("^ " makes it an inset), or nothing."""
    if not template_body or not template_body.strip():
        return ""
    return "^ " + template_body.replace("$reference", reference)


def corporate_card_surcharge(charge: Charge) -> str:
    if not charge.corporate_surcharge:
        return ""
    fee = pounds(charge.corporate_surcharge)
    return f"Your payment includes a fee of £{fee} for using a corporate credit or debit card."


def payment_confirmed(charge: Charge, account: GatewayAccount, template_body: str | None) -> dict[str, Any]:
    return {
        "serviceReference": charge.reference,
        "date": email_date(charge.created_date),
        "amount": pounds(charge.total_amount),
        "description": charge.description,
        "customParagraph": custom_paragraph(template_body, charge.reference),
        "serviceName": account.service_name or "",
        "corporateCardSurcharge": corporate_card_surcharge(charge),
    }


def refund_issued(charge: Charge, refund: Refund, account: GatewayAccount) -> dict[str, Any]:
    return {
        "serviceReference": charge.reference,
        "date": email_date(refund.created_date),
        "amount": pounds(refund.amount),
        "description": charge.description,
        "serviceName": account.service_name or "",
    }
