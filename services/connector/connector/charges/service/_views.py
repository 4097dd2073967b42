"""The views of a charge (connector.md §4.3) and its refund summary (§3.2).

One view, built from a row of ``repository.VIEW_COLUMNS``: :func:`charge_view`. Search builds
a page of them from the rows it read (:func:`charge_views`); GET and create build one from the
charge they hold (:func:`row_of`), so the three cannot drift apart. The payment pages' view
(:func:`build_frontend_charge_response`) is the same members without the API-only ones, plus
the internal status and the account.

Building a view writes nothing: the one-time token of ``next_url`` / ``auth_url_post`` is
issued by the caller (:func:`issue_next_token`) and passed in.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from connector.accounts import repository as accounts_repository
from connector.accounts.schemas import NOTIFY_SECRET_KEYS, card_type_view, redact
from connector.agreements import repository as agreements_repository
from connector.charges import repository
from connector.charges.schemas import AuthorisationMode
from connector.charges.state import ChargeStatus, external_state
from connector.config import Settings
from connector.models import Charge, GatewayAccount
from connector.models.charge import total_amount
from connector.tokens import repository as tokens_repository

#: A row of ``repository.VIEW_COLUMNS`` (possibly followed by more columns), read by position.
ChargeRow = Any

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

#: The columns of a view row, in ``repository.VIEW_COLUMNS`` order (the order ``charge_view``
#: unpacks: a column added there is added to the unpacking too).
VIEW_NAMES = tuple(column.key for column in repository.VIEW_COLUMNS)
_Row = namedtuple("_Row", VIEW_NAMES)  # type: ignore[misc]  # names known at import only


def row_of(charge: Charge) -> ChargeRow:
    """The charge's ``VIEW_COLUMNS`` as the row a query would return."""
    return _Row._make(getattr(charge, name) for name in VIEW_NAMES)


def format_instant(moment: datetime) -> str:
    """ISO instant in UTC with millisecond precision: ``2022-06-28T09:24:45.715Z``."""
    utc = moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def _instant(moment: datetime) -> str:
    """``format_instant`` through ``isoformat`` (a C call), the same text for four-digit years."""
    utc = moment.astimezone(UTC)
    if utc.year < 1000:  # strftime's %Y does not pad; keep the exact format_instant text
        return format_instant(moment)
    return utc.isoformat(timespec="milliseconds")[:23] + "Z"


def refund_availability(charge_status: str, amount_available: int) -> str:
    """``pending`` / ``available`` / ``full`` / ``unavailable`` (connector.md §3.2; there is no ``error``)."""
    if charge_status in REFUND_PENDING_STATUSES:
        return "pending"
    if charge_status == ChargeStatus.CAPTURED:
        return "available" if amount_available > 0 else "full"
    return "unavailable"


def refund_summary_of(status: str, amount: int, surcharge: int | None, submitted: int) -> dict[str, Any]:
    """``refund_summary`` from the columns it depends on; the one refund-availability calculator.

    ``submitted`` sums the refunds in CREATED, REFUND SUBMITTED and REFUNDED. The amounts are
    computed whatever the charge status; ``status`` says whether a refund is possible.
    """
    available = total_amount(amount, surcharge) - submitted
    return {
        "status": refund_availability(status, available),
        "user_external_id": None,  # declared by the original, never filled (connector.md §3.2)
        "amount_available": available,
        "amount_submitted": submitted,
    }


def status_state(status: str) -> dict[str, Any]:
    """``{"status", "finished", "code"?, "message"?}`` of an internal status."""
    external = external_state(status)
    state: dict[str, Any] = {"status": external.status, "finished": external.finished}
    if external.code is not None:
        state["code"] = external.code
    if external.message is not None:
        state["message"] = external.message
    return state


def exemption_view(requested: str | None, outcome: str | None) -> dict[str, Any] | None:
    """``exemption`` (connector.md §4.3), from ``exemption_3ds_requested`` and ``exemption_3ds``."""
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


class StatusParts:
    """What a view derives from the status alone, computed once per status per page."""

    __slots__ = ("state", "succeeded", "capturable")

    def __init__(self, status: str) -> None:
        self.state = status_state(status)
        self.succeeded = external_state(status).status == "success"
        self.capturable = status == ChargeStatus.AWAITING_CAPTURE_REQUEST


def _add_present(target: dict[str, Any], **members: Any) -> None:
    """Add to ``target``, in the order given, each member that is not None."""
    target.update((name, value) for name, value in members.items() if value is not None)


def charge_view(
    row: ChargeRow,
    *,
    base_url: str,
    labels: dict[str, str],
    submitted: int = 0,
    settlement: dict[str, datetime] | None = None,
    fee: int | None = None,
    parts: dict[str, StatusParts] | None = None,
    api: bool = True,
) -> dict[str, Any]:
    """The API view of connector.md §4.3 (null members omitted), from a row of
    ``repository.VIEW_COLUMNS`` and the parts loaded beside it: ``submitted`` (counted refunds),
    ``settlement`` (capture event times), ``fee``, ``labels`` (card brand → label). With
    ``api=False``, only the members the payment pages' view shares (no refund, settlement, fee,
    3DS summary, exemption or links).

    Search builds 500 of these per page, so this is written for speed (docs/benchmarks.md
    "Search"): the row is unpacked once (a named attribute of a SQLAlchemy row costs as much as
    building the member), members are added only when not null instead of built then filtered,
    and status-derived parts are shared through ``parts`` (the cached ``state`` dict is shared
    read-only between rows: it is serialised, never mutated; ``can_retry`` gets its own copy).
    """
    (
        _id,
        external_id,
        account_id,
        amount,
        status,
        description,
        reference,
        gateway_transaction_id,
        payment_provider,
        created_date,
        return_url,
        email,
        language,
        delayed_capture,
        moto,
        authorisation_mode,
        surcharge,
        card_brand,
        card_type,
        last_digits,
        first_digits,
        cardholder_name,
        expiry_date,
        line1,
        line2,
        postcode,
        city,
        county,
        country,
        requires_3ds,
        version_3ds,
        wallet,
        external_metadata,
        agreement_id,
        agreement_payment_type,
        can_retry,
        pa_request,
        issuer_url,
        exemption_requested,
        exemption_outcome,
        *_,  # what a query adds after VIEW_COLUMNS (the partial-match search: its total)
    ) = row
    if parts is None:
        parts = {}
    part = parts.get(status)
    if part is None:
        part = parts[status] = StatusParts(status)
    mode = authorisation_mode.lower()
    state = part.state
    if can_retry is not None and mode == AuthorisationMode.AGREEMENT:
        state = {**state, "can_retry": can_retry}
    body: dict[str, Any] = {
        "charge_id": external_id,
        # Seeds 000/001 document it as always present, as a string ("10").
        "gateway_account_id": str(account_id),
        "amount": amount,
        "state": state,
    }
    _add_present(
        body,
        description=description,
        reference=reference,
        language=language,
        gateway_transaction_id=gateway_transaction_id,
        return_url=return_url,
        email=email,
        payment_provider=payment_provider,
    )
    body["created_date"] = _instant(created_date)
    _add_present(body, delayed_capture=delayed_capture, moto=moto)
    body["authorisation_mode"] = mode
    # card_details: first 6 / last 4 only, members in this order, nulls left out.
    card: dict[str, Any] = {}
    _add_present(
        card,
        last_digits_card_number=last_digits,
        first_digits_card_number=first_digits,
        cardholder_name=cardholder_name,
        expiry_date=expiry_date,
    )
    address: dict[str, Any] = {}
    _add_present(
        address, line1=line1, line2=line2, postcode=postcode, city=city, county=county, country=country
    )
    if address:
        card["billing_address"] = address
    if card_type:
        card["card_type"] = card_type.lower()
    if card_brand is not None:
        # The label ("Visa"), "" for a brand the card_types table does not know.
        card["card_brand"] = (labels.get(card_brand) if card_brand else None) or ""
    if card:
        body["card_details"] = card
    if card_brand is not None:
        body["card_brand"] = card["card_brand"]  # seeds 000/001: the label beside card_details too
    if pa_request is not None or issuer_url is not None:
        body["auth_3ds_data"] = {"paRequest": pa_request, "issuerUrl": issuer_url}
    if surcharge:
        body["corporate_card_surcharge"] = surcharge
        body["total_amount"] = total_amount(amount, surcharge)
    if wallet is not None:
        body["wallet_type"] = wallet
    if external_metadata:
        body["metadata"] = external_metadata
    _add_present(body, agreement_id=agreement_id, agreement_payment_type=agreement_payment_type)
    if not api:
        return body
    body["refund_summary"] = refund_summary_of(status, amount, surcharge, submitted)
    if settlement:
        submit_time, captured = settlement.get("capture_submit_time"), settlement.get("captured_date")
        body["settlement_summary"] = {
            "capture_submit_time": format_instant(submit_time) if submit_time else None,
            "captured_date": captured.astimezone(UTC).date().isoformat() if captured else None,
        }
    else:
        body["settlement_summary"] = {"capture_submit_time": None, "captured_date": None}
    if fee is not None:
        # A successful charge nets its total less fees; any other nets minus the fees, which the
        # provider keeps whether or not the payment succeeded.
        body["fee"] = fee
        body["net_amount"] = total_amount(amount, surcharge) - fee if part.succeeded else -fee
    if requires_3ds:
        required: dict[str, Any] = {"required": True}
        if version_3ds:
            required["version"] = version_3ds
        body["authorisation_summary"] = {"three_d_secure": required}
    if exemption_requested is not None or exemption_outcome is not None:
        body["exemption"] = exemption_view(exemption_requested, exemption_outcome)
    self_href = f"{base_url}/v1/api/accounts/{account_id}/charges/{external_id}"
    links = [
        {"rel": "self", "method": "GET", "href": self_href},
        {"rel": "refunds", "method": "GET", "href": self_href + "/refunds"},
    ]
    if part.capturable:
        links.append({"rel": "capture", "method": "POST", "href": self_href + "/capture"})
    body["links"] = links
    return body


async def _labels_for(session: AsyncSession, rows: Sequence[ChargeRow]) -> dict[str, str]:
    return await repository.card_labels(session) if any(row.card_brand for row in rows) else {}


async def charge_views(
    session: AsyncSession, rows: Sequence[ChargeRow], base_url: str
) -> list[dict[str, Any]]:
    """The views of ``rows``, refund sums, settlement events and fees each loaded in one query."""
    ids = [row.id for row in rows]
    external_ids = [row.external_id for row in rows]
    submitted = await repository.submitted_by_charge(session, external_ids)
    settlement = await repository.settlement_events(session, ids)
    fees = await repository.fees_by_charge(session, ids)
    labels = await _labels_for(session, rows)
    parts: dict[str, StatusParts] = {}
    no_events: dict[str, datetime] = {}
    return [
        charge_view(
            row,
            base_url=base_url,
            submitted=submitted.get(external_id, 0),
            settlement=settlement.get(charge_id, no_events),
            labels=labels,
            fee=fees.get(charge_id),
            parts=parts,
        )
        for row, charge_id, external_id in zip(rows, ids, external_ids, strict=True)
    ]


async def views_by_external_id(
    session: AsyncSession, external_ids: Sequence[str], base_url: str
) -> dict[str, dict[str, Any]]:
    """The API views (no next links: nothing is written) of the charges of these external ids,
    whichever their accounts, by external id; five queries however many. An unknown id is left out."""
    rows = await repository.view_rows(session, list(dict.fromkeys(external_ids)))
    views = await charge_views(session, rows, base_url)
    return {view["charge_id"]: view for view in views}


# --- the single-charge API view: next links -------------------------------------------------


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
    # Only while the card can still be sent: the original links a token on every unfinished
    # moto_api charge, even one already authorised, whose token could never be used
    # (docs/decisions.md, "MOTO API").
    mode = charge.authorisation_mode.lower()
    # UNDEFINED: the charge being created, whose token is inserted with it.
    authorisable = charge.status in (ChargeStatus.UNDEFINED, ChargeStatus.CREATED)
    return mode == AuthorisationMode.MOTO_API and authorisable


def needs_new_token(charge: Charge) -> bool:
    """Whether the view of ``charge`` links a one-time token: next_url or auth_url_post."""
    return _needs_next_url(charge) or _needs_auth_url(charge)


async def issue_next_token(session: AsyncSession, charge: Charge) -> str | None:
    """A new one-time token when the charge's view links one (the original mints one on every
    GET of an unfinished web or moto_api charge); None when the view has no next links."""
    if not needs_new_token(charge):
        return None
    return (await tokens_repository.create_for_charge(session, charge)).secure_redirect_token


def next_links(settings: Settings, charge: Charge, token: str) -> list[dict[str, Any]]:
    """``next_url`` + ``next_url_post`` (payment pages) or ``auth_url_post`` (moto_api), for ``token``."""
    if _needs_next_url(charge):
        frontend = settings.frontend_url.rstrip("/")
        return [
            _link("next_url", "GET", f"{frontend}/secure/{token}"),
            _link(
                "next_url_post",
                "POST",
                f"{frontend}/secure",
                type="application/x-www-form-urlencoded",
                params={"chargeTokenId": token},
            ),
        ]
    if _needs_auth_url(charge):
        return [
            _link(
                "auth_url_post",
                "POST",
                f"{settings.base_url.rstrip('/')}/v1/api/charges/authorise",
                type="application/json",
                params={"one_time_token": token},
            )
        ]
    return []


async def build_charge_response(
    session: AsyncSession,
    settings: Settings,
    charge: Charge,
    *,
    just_created: bool = False,
    token: str | None = None,
) -> dict[str, Any]:
    """The API view of one charge: :func:`charge_view` of its row, plus the next links of ``token``.

    ``just_created`` (the create endpoints, same transaction) skips reading refunds, capture
    events and fees: a charge created a moment ago has none, and those reads are most of the
    create's queries. ``token``: the one-time token create inserted with the charge, or
    :func:`issue_next_token`'s on GET; None (search-like) leaves the next links out.
    """
    row = row_of(charge)
    base_url = settings.base_url.rstrip("/")
    if just_created:
        body = charge_view(row, base_url=base_url, labels=await _labels_for(session, [row]))
    else:
        [body] = await charge_views(session, [row], base_url)
    if token is not None:
        body["links"].extend(next_links(settings, charge, token))
    return body


# --- the payment pages' view ------------------------------------------------------------------


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
        "card_types": [card_type_view(card_type) for card_type in card_types],
    }


def frontend_charge_url(settings: Settings, charge: Charge) -> str:
    return f"{settings.base_url.rstrip('/')}/v1/frontend/charges/{charge.external_id}"


async def build_frontend_charge_response(
    session: AsyncSession, settings: Settings, charge: Charge
) -> dict[str, Any]:
    """The payment pages' view: internal ``status``, the account with its card types, cardAuth/cardCapture."""
    account = await accounts_repository.get_by_id(session, charge.gateway_account_id)
    assert account is not None  # charges.gateway_account_id is a foreign key
    row = row_of(charge)
    body = charge_view(row, base_url=settings.base_url, labels=await _labels_for(session, [row]), api=False)
    self_url = frontend_charge_url(settings, charge)
    body["status"] = charge.status
    body["save_payment_instrument_to_agreement"] = charge.save_payment_instrument_to_agreement
    if charge.agreement_external_id is not None:
        # The payment pages name the agreement a set-up payment saves the card for.
        agreement = await agreements_repository.agreement_of_account(
            session, charge.gateway_account_id, charge.agreement_external_id
        )
        if agreement is not None:
            body["agreement"] = {
                "agreement_id": agreement.external_id,
                "description": agreement.description,
                "reference": agreement.reference,
            }
    body["gateway_account"] = await gateway_account_view(session, account, charge.payment_provider)
    fee = (await repository.fees_by_charge(session, [charge.id])).get(charge.id)
    if fee is not None:
        body["fee"] = fee  # seed 000's frontend charge shows it
    body["links"] = [
        _link("self", "GET", self_url),
        _link("cardAuth", "POST", f"{self_url}/cards"),
        _link("cardCapture", "POST", f"{self_url}/capture"),
    ]
    return body
