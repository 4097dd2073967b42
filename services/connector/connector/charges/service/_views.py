"""The API and frontend views of a charge (connector.md §4.3) and its refund summary (§3.2)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from connector.accounts import repository as accounts_repository
from connector.accounts.schemas import NOTIFY_SECRET_KEYS, redact
from connector.charges import repository
from connector.charges.schemas import AuthorisationMode
from connector.charges.state import ChargeStatus, external_state
from connector.config import Settings
from connector.models import CardType, Charge, GatewayAccount, Refund
from connector.tokens import repository as tokens_repository

# --- views (connector.md §4.3) ----------------------------------------------------------------

#: Refund statuses whose amounts count against the charge (external ``submitted`` or ``success``).
COUNTED_REFUND_STATUSES = frozenset({"CREATED", "REFUND SUBMITTED", "REFUNDED"})

#: Charge statuses whose refunds are ``pending`` (connector.md §3.2).
REFUND_PENDING_STATUSES = frozenset(
    {
        ChargeStatus.UNDEFINED,
        ChargeStatus.CREATED,
        ChargeStatus.ENTERING_CARD_DETAILS,
        ChargeStatus.AUTHORISATION_READY,
        ChargeStatus.AUTHORISATION_3DS_REQUIRED,
        ChargeStatus.AUTHORISATION_3DS_READY,
        ChargeStatus.AUTHORISATION_SUBMITTED,
        ChargeStatus.AUTHORISATION_SUCCESS,
        ChargeStatus.CAPTURE_READY,
        ChargeStatus.CAPTURE_APPROVED,
        ChargeStatus.CAPTURE_APPROVED_RETRY,
        ChargeStatus.CAPTURE_SUBMITTED,
    }
)

_EXEMPTION_OUTCOMES = {"HONOURED": "honoured", "REJECTED": "rejected", "OUT_OF_SCOPE": "out of scope"}


def format_instant(moment: datetime) -> str:
    """ISO instant in UTC with millisecond precision: ``2022-06-28T09:24:45.715Z``."""
    utc = moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def total_amount(charge: Charge) -> int:
    """The amount plus any corporate surcharge: what the payer paid and what can be refunded."""
    return charge.amount + (charge.corporate_surcharge or 0)


def refund_availability(charge_status: str, amount_available: int) -> str:
    """``pending`` / ``available`` / ``full`` / ``unavailable`` (connector.md §3.2; there is no ``error``)."""
    if charge_status in REFUND_PENDING_STATUSES:
        return "pending"
    if charge_status == ChargeStatus.CAPTURED:
        return "available" if amount_available > 0 else "full"
    return "unavailable"


def refund_summary_of(status: str, amount: int, surcharge: int | None, submitted: int) -> dict[str, Any]:
    """``refund_summary`` from the columns it depends on (search pages read rows, not entities).

    ``submitted`` sums the refunds in CREATED, REFUND SUBMITTED and REFUNDED. The amounts are
    computed whatever the charge status; ``status`` says whether a refund is possible.
    """
    available = amount + (surcharge or 0) - submitted
    return {
        "status": refund_availability(status, available),
        "user_external_id": None,  # declared by the original, never filled (connector.md §3.2)
        "amount_available": available,
        "amount_submitted": submitted,
    }


def refund_summary(charge: Charge, refunds: Sequence[Refund]) -> dict[str, Any]:
    """``{"status", "user_external_id", "amount_available", "amount_submitted"}`` of connector.md §3.2."""
    submitted = sum(r.amount for r in refunds if r.status in COUNTED_REFUND_STATUSES)
    return refund_summary_of(charge.status, charge.amount, charge.corporate_surcharge, submitted)


def status_state(status: str) -> dict[str, Any]:
    """``{"status", "finished", "code"?, "message"?}`` of an internal status."""
    external = external_state(status)
    state: dict[str, Any] = {"status": external.status, "finished": external.finished}
    if external.code is not None:
        state["code"] = external.code
    if external.message is not None:
        state["message"] = external.message
    return state


def state_view(charge: Charge) -> dict[str, Any]:
    """The external ``state`` object: null members omitted; ``can_retry`` for agreement payments only."""
    state = status_state(charge.status)
    if charge.authorisation_mode.lower() == AuthorisationMode.AGREEMENT and charge.can_retry is not None:
        state["can_retry"] = charge.can_retry
    return state


def _billing_address(charge: Charge) -> dict[str, Any] | None:
    fields = {
        "line1": charge.address_line1,
        "line2": charge.address_line2,
        "postcode": charge.address_postcode,
        "city": charge.address_city,
        "county": charge.address_county,
        "country": charge.address_country,
    }
    present = {name: value for name, value in fields.items() if value is not None}
    return present or None


def card_details_view(charge: Charge, brand_label: str | None) -> dict[str, Any] | None:
    """``card_details`` (first 6 / last 4 only), or None when nothing is known about the card."""
    details: dict[str, Any] = {
        name: value
        for name, value in (
            ("last_digits_card_number", charge.last_digits_card_number),
            ("first_digits_card_number", charge.first_digits_card_number),
            ("cardholder_name", charge.cardholder_name),
            ("expiry_date", charge.expiry_date),
            ("billing_address", _billing_address(charge)),
            ("card_type", charge.card_type.lower() if charge.card_type else None),
        )
        if value is not None
    }
    if charge.card_brand is not None:
        # The API shows the label ("Visa"), "" for a brand the card_types table does not know.
        details["card_brand"] = brand_label or ""
    return details or None


def _exemption(charge: Charge) -> dict[str, Any] | None:
    requested, outcome = charge.exemption_3ds_requested, charge.exemption_3ds
    if requested is None and outcome is None:
        return None
    if outcome == "EXEMPTION_NOT_REQUESTED":
        return {"requested": False}
    view: dict[str, Any] = {"requested": True}
    if requested == "CORPORATE":
        view["type"] = "corporate"
    if outcome in _EXEMPTION_OUTCOMES:
        view["outcome"] = {"result": _EXEMPTION_OUTCOMES[outcome]}
    return view


async def settlement_summary(session: AsyncSession, charge: Charge) -> dict[str, Any]:
    submitted = await repository.latest_event_in(session, charge.id, ChargeStatus.CAPTURE_SUBMITTED.value)
    captured = await repository.latest_event_in(session, charge.id, ChargeStatus.CAPTURED.value)
    captured_at = (captured.gateway_event_date or captured.updated) if captured else None
    return {
        "capture_submit_time": format_instant(submitted.updated) if submitted else None,
        "captured_date": captured_at.astimezone(UTC).date().isoformat() if captured_at else None,
    }


def _link(rel: str, method: str, href: str, **extra: Any) -> dict[str, Any]:
    return {"rel": rel, "method": method, "href": href, **extra}


def charge_self_url(settings: Settings, charge: Charge) -> str:
    base = settings.base_url.rstrip("/")
    return f"{base}/v1/api/accounts/{charge.gateway_account_id}/charges/{charge.external_id}"


def _needs_next_url(charge: Charge) -> bool:
    mode = charge.authorisation_mode.lower()
    return (
        not external_state(charge.status).finished
        and charge.status != ChargeStatus.AWAITING_CAPTURE_REQUEST
        and mode not in (AuthorisationMode.AGREEMENT, AuthorisationMode.MOTO_API, AuthorisationMode.EXTERNAL)
    )


def _needs_auth_url(charge: Charge) -> bool:
    mode = charge.authorisation_mode.lower()
    return mode == AuthorisationMode.MOTO_API and not external_state(charge.status).finished


def needs_new_token(charge: Charge) -> bool:
    """Whether the view of ``charge`` (with next links) carries a one-time token: next_url or auth_url_post."""
    return _needs_next_url(charge) or _needs_auth_url(charge)


async def charge_links(
    session: AsyncSession,
    settings: Settings,
    charge: Charge,
    *,
    with_next_links: bool = True,
    token: str | None = None,
) -> list[dict[str, Any]]:
    """self, refunds, capture (awaiting capture) and — creating a new token — next_url or auth_url_post.

    ``token``: a token already inserted for this charge (create writes it with the charge); used
    instead of creating one.
    """
    self_url = charge_self_url(settings, charge)
    links = [_link("self", "GET", self_url), _link("refunds", "GET", f"{self_url}/refunds")]
    if charge.status == ChargeStatus.AWAITING_CAPTURE_REQUEST:
        links.append(_link("capture", "POST", f"{self_url}/capture"))
    if not with_next_links:
        return links
    frontend = settings.frontend_url.rstrip("/")
    if _needs_next_url(charge):
        token = token or (await tokens_repository.create_for_charge(session, charge)).secure_redirect_token
        links.append(_link("next_url", "GET", f"{frontend}/secure/{token}"))
        links.append(
            _link(
                "next_url_post",
                "POST",
                f"{frontend}/secure",
                type="application/x-www-form-urlencoded",
                params={"chargeTokenId": token},
            )
        )
    elif _needs_auth_url(charge):
        token = token or (await tokens_repository.create_for_charge(session, charge)).secure_redirect_token
        links.append(
            _link(
                "auth_url_post",
                "POST",
                f"{settings.base_url.rstrip('/')}/v1/api/charges/authorise",
                type="application/json",
                params={"one_time_token": token},
            )
        )
    return links


def _common_fields(charge: Charge, brand_label: str | None) -> dict[str, Any]:
    """Members shared by the API and frontend views; None values are dropped by the callers."""
    surcharge = charge.corporate_surcharge if charge.corporate_surcharge else None
    three_ds = None
    if charge.pa_request_3ds is not None or charge.issuer_url_3ds is not None:
        three_ds = {"paRequest": charge.pa_request_3ds, "issuerUrl": charge.issuer_url_3ds}
    return {
        "charge_id": charge.external_id,
        # Seeds 000/001 document it as always present, as a string ("10").
        "gateway_account_id": str(charge.gateway_account_id),
        "amount": charge.amount,
        "state": state_view(charge),
        "description": charge.description,
        "reference": charge.reference,
        "language": charge.language,
        "gateway_transaction_id": charge.gateway_transaction_id,
        "return_url": charge.return_url,
        "email": charge.email,
        "payment_provider": charge.payment_provider,
        "created_date": format_instant(charge.created_date),
        "delayed_capture": charge.delayed_capture,
        "moto": charge.moto,
        "authorisation_mode": charge.authorisation_mode.lower(),
        "card_details": card_details_view(charge, brand_label),
        # Seeds 000/001: the brand label beside card_details, once a card is known.
        "card_brand": (brand_label or "") if charge.card_brand is not None else None,
        "auth_3ds_data": three_ds,
        "corporate_card_surcharge": surcharge,
        "total_amount": total_amount(charge) if surcharge else None,
        "wallet_type": charge.wallet,
        "metadata": charge.external_metadata or None,
        "agreement_id": charge.agreement_external_id,
        "agreement_payment_type": charge.agreement_payment_type,
    }


async def fee_fields(session: AsyncSession, charge: Charge) -> dict[str, int]:
    """``fee`` and ``net_amount``, present only when the provider charged fees (connector.md §4.3).

    A successful charge nets its total (amount + surcharge) less fees; any other charge
    nets minus the fees, because the provider keeps them whether or not the payment succeeded.
    """
    fee = await repository.fees_collected(session, charge.id)
    if fee is None:
        return {}
    succeeded = external_state(charge.status).status == "success"
    return {"fee": fee, "net_amount": total_amount(charge) - fee if succeeded else -fee}


async def _brand_label(session: AsyncSession, charge: Charge) -> str | None:
    return await repository.card_brand_label(session, charge.card_brand) if charge.card_brand else None


async def build_charge_response(
    session: AsyncSession,
    settings: Settings,
    charge: Charge,
    *,
    with_next_links: bool = True,
    just_created: bool = False,
    token: str | None = None,
) -> dict[str, Any]:
    """The API view of a charge (connector.md §4.3); null members are omitted.

    With ``with_next_links`` (the default, as on create and GET) an unfinished web or moto_api
    charge gets a **new** token for its next_url / auth_url_post; search results pass False.
    ``just_created`` (the create endpoints, same transaction) skips reading refunds, capture events
    and fees: a charge created a moment ago has none, and those reads are most of the create's queries.
    ``token`` is the one-time token create inserted with the charge (see :func:`charge_links`).
    """
    body = _common_fields(charge, await _brand_label(session, charge))
    if just_created:
        body["refund_summary"] = refund_summary(charge, [])
        body["settlement_summary"] = {"capture_submit_time": None, "captured_date": None}
    else:
        body["refund_summary"] = refund_summary(
            charge, await repository.refunds_of(session, charge.external_id)
        )
        body["settlement_summary"] = await settlement_summary(session, charge)
        body.update(await fee_fields(session, charge))
    if charge.requires_3ds:
        three_d_secure: dict[str, Any] = {"required": True}
        if charge.version_3ds:
            three_d_secure["version"] = charge.version_3ds
        body["authorisation_summary"] = {"three_d_secure": three_d_secure}
    body["exemption"] = _exemption(charge)
    body["links"] = await charge_links(
        session, settings, charge, with_next_links=with_next_links, token=token
    )
    return {name: value for name, value in body.items() if value is not None}


def _card_type_view(card_type: CardType) -> dict[str, Any]:
    return {
        "id": str(card_type.id),
        "brand": card_type.brand,
        "label": card_type.label,
        "type": card_type.type,
        "requires3ds": card_type.requires_3ds,
    }


async def gateway_account_view(
    session: AsyncSession, account: GatewayAccount, provider: str
) -> dict[str, Any]:
    """The ``gateway_account`` object the payment pages read (no credentials, no Notify secrets)."""
    card_types = await accounts_repository.accepted_card_types_of(session, account.id)
    return {
        "version": account.version,
        "gateway_account_id": account.id,
        "external_id": account.external_id,
        "payment_provider": provider,
        "type": account.type.lower(),
        "live": account.type.upper() == "LIVE",
        "service_name": account.service_name,
        "service_id": account.service_id,
        "analytics_id": account.analytics_id,
        "requires3ds": account.requires_3ds,
        "integration_version_3ds": account.integration_version_3ds,
        "allow_apple_pay": account.allow_apple_pay,
        "allow_google_pay": account.allow_google_pay,
        "allow_zero_amount": account.allow_zero_amount,
        "block_prepaid_cards": account.block_prepaid_cards,
        "email_collection_mode": account.email_collection_mode,
        "moto_mask_card_number_input": account.moto_mask_card_number_input,
        "moto_mask_card_security_code_input": account.moto_mask_card_security_code_input,
        "corporate_credit_card_surcharge_amount": account.corporate_credit_card_surcharge_amount,
        "corporate_debit_card_surcharge_amount": account.corporate_debit_card_surcharge_amount,
        # The prepaid-credit surcharge column was dropped upstream; it is always 0.
        "corporate_prepaid_credit_card_surcharge_amount": 0,
        "corporate_prepaid_debit_card_surcharge_amount": account.corporate_prepaid_debit_card_surcharge_amount,
        # Seed 000's frontend charge shows both; Notify's API token never leaves the connector.
        "notifySettings": redact(account.notify_settings, NOTIFY_SECRET_KEYS),
        "worldpay_3ds_flex": None,  # 3DS Flex credentials are not stored yet
        "card_types": [_card_type_view(card_type) for card_type in card_types],
    }


def frontend_charge_url(settings: Settings, charge: Charge) -> str:
    return f"{settings.base_url.rstrip('/')}/v1/frontend/charges/{charge.external_id}"


async def build_frontend_charge_response(
    session: AsyncSession, settings: Settings, charge: Charge
) -> dict[str, Any]:
    """The payment pages' view: internal ``status``, the account with its card types, cardAuth/cardCapture."""
    account = await session.get(GatewayAccount, charge.gateway_account_id)
    assert account is not None  # charges.gateway_account_id is a foreign key
    body = _common_fields(charge, await _brand_label(session, charge))
    self_url = frontend_charge_url(settings, charge)
    body["status"] = charge.status
    body["save_payment_instrument_to_agreement"] = charge.save_payment_instrument_to_agreement
    body["gateway_account"] = await gateway_account_view(session, account, charge.payment_provider)
    body.update(await fee_fields(session, charge))  # seed 000 shows the fee here too
    body["links"] = [
        _link("self", "GET", self_url),
        _link("cardAuth", "POST", f"{self_url}/cards"),
        _link("cardCapture", "POST", f"{self_url}/capture"),
    ]
    return {name: value for name, value in body.items() if value is not None}
