"""Charge creation: the checks of connector.md §4.2 in order, then UNDEFINED → CREATED."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

from sqlalchemy.ext.asyncio import AsyncSession

from connector.accounts import repository as accounts_repository
from connector.accounts import service as accounts_service
from connector.accounts.schemas import parse_account_id
from connector.agreements import service as agreements_service
from connector.charges import repository
from connector.charges.errors import ChargeNotFound, UnknownGatewayAccount
from connector.charges.schemas import AuthorisationMode, ChargeCreateRequest, is_valid_return_url
from connector.charges.service._reference import check_reference_is_not_a_card_number
from connector.charges.service._transition import insert_as
from connector.charges.service._views import needs_new_token
from connector.charges.state import ChargeStatus
from connector.credentials import state as credential_state
from connector.errors import BadRequest, Forbidden, Unprocessable
from connector.idempotency import service as idempotency_service
from connector.models import Charge, GatewayAccount, GatewayAccountCredential
from pay_common import metrics
from pay_common.db.base import utc_now
from pay_common.ids import new_external_id, new_uuid
from pay_common.logging import get_logger

logger = get_logger(__name__)

# --- creation (connector.md §4.2) -------------------------------------------------------------

NOT_LINKED_MESSAGE = "Payment provider details are not configured on this account"
STRIPE_MINIMUM_AMOUNT = 30


def check_return_url(request: ChargeCreateRequest) -> None:
    """Step 1: ``web`` needs a valid return_url; ``moto_api`` and ``agreement`` must not send one."""
    url = request.return_url_given
    if request.mode is AuthorisationMode.WEB:
        if url is None:
            raise Unprocessable(
                "Missing mandatory attribute: return_url", error_identifier="MISSING_MANDATORY_ATTRIBUTE"
            )
        if not is_valid_return_url(url):
            raise Unprocessable(
                "Invalid attribute value: return_url. Must be a valid URL format",
                error_identifier="INVALID_ATTRIBUTE_VALUE",
            )
    elif url is not None:
        raise Unprocessable("Unexpected attribute: return_url", error_identifier="UNEXPECTED_ATTRIBUTE")


def _not_linked() -> BadRequest:
    return BadRequest(NOT_LINKED_MESSAGE, error_identifier="ACCOUNT_NOT_LINKED_WITH_PSP")


def choose_credential(
    account: GatewayAccount, credentials: Sequence[GatewayAccountCredential], credential_id: str | None
) -> GatewayAccountCredential:
    """Step 5: the named credential (must be usable) or the account's current one (must not be CREATED)."""
    if credential_id is not None:
        named = next((c for c in credentials if c.external_id == credential_id), None)
        if named is None:
            raise BadRequest(
                f"Credentials not found for gateway account [{account.id}] "
                f"and credential_external_id [{credential_id}]"
            )
        if named.state not in credential_state.USABLE:
            raise _not_linked()
        return named
    current = accounts_service.pick_current_credential(credentials)
    if current is None or current.state == "CREATED":
        raise _not_linked()
    return current


def _unexpected(attribute: str) -> Unprocessable:
    return Unprocessable(f"Unexpected attribute: {attribute}", error_identifier="UNEXPECTED_ATTRIBUTE")


def _recurring_not_allowed() -> Unprocessable:
    return Unprocessable(
        "Recurring payment agreements are not enabled on this account",
        error_identifier="RECURRING_CARD_PAYMENTS_NOT_ALLOWED",
    )


def _save_needs_web() -> BadRequest:
    return BadRequest(
        "If [save_payment_instrument_to_agreement] is true, [authorisation_mode] must be [web]",
        error_identifier="INCORRECT_AUTHORISATION_MODE_FOR_SAVE_PAYMENT_INSTRUMENT_TO_AGREEMENT",
    )


def check_live_return_url(account: GatewayAccount, request: ChargeCreateRequest) -> None:
    """Step 4: a live account only sends paying users back over https."""
    url = request.return_url_given
    if account.type.upper() == "LIVE" and url is not None and not url.startswith("https://"):
        raise Unprocessable(
            "Invalid attribute value: return_url. Must begin with https:// for a live gateway account",
            error_identifier="NON_HTTPS_RETURN_URL_NOT_ALLOWED_FOR_A_LIVE_ACCOUNT",
        )


def check_enabled_and_moto(account: GatewayAccount, request: ChargeCreateRequest) -> None:
    """Steps 6 and 7: a disabled account refuses; MOTO and the MOTO API must be switched on."""
    if account.disabled:
        raise Forbidden("This gateway account is disabled", error_identifier="ACCOUNT_DISABLED")
    if request.mode is AuthorisationMode.MOTO_API:
        if not account.allow_authorisation_api:
            raise Unprocessable(
                f"Using authorisation_mode of moto_api is not allowed for this account [{account.id}]",
                error_identifier="AUTHORISATION_API_NOT_ALLOWED",
            )
    elif request.moto and not account.allow_moto:
        raise Unprocessable(
            "MOTO payments are not enabled for this gateway account", error_identifier="MOTO_NOT_ALLOWED"
        )


def check_agreement_options(account: GatewayAccount, request: ChargeCreateRequest) -> None:
    """Step 9: which agreement fields each mode accepts."""
    mode = request.mode
    if mode is AuthorisationMode.AGREEMENT:
        if not account.recurring_enabled:
            raise _recurring_not_allowed()
        if request.agreement_id is None:
            raise Unprocessable(
                "Missing mandatory attribute: agreement_id", error_identifier="MISSING_MANDATORY_ATTRIBUTE"
            )
        if request.save_to_agreement:
            raise _save_needs_web()
        for name, present in (
            ("moto", bool(request.moto)),
            ("email", request.email_given is not None),
            ("prefilled_cardholder_details", request.prefilled_cardholder_details is not None),
        ):
            if present:
                raise _unexpected(name)
    elif mode is AuthorisationMode.WEB:
        if request.save_to_agreement and request.agreement_id is None:
            raise BadRequest(
                "If [save_payment_instrument_to_agreement] is true, [agreement_id] must be specified"
            )
        if request.agreement_id is not None and not request.save_to_agreement:
            raise _unexpected("agreement_id")
        if request.agreement_id is not None and not account.recurring_enabled:
            raise _recurring_not_allowed()
        if request.agreement_payment_type is not None and request.agreement_id is None:
            raise _unexpected("agreement_payment_type")
    else:
        if request.agreement_id is not None:
            raise _unexpected("agreement_id")
        if request.agreement_payment_type is not None:
            raise _unexpected("agreement_payment_type")
        if request.save_to_agreement:
            raise _save_needs_web()


def check_amount(account: GatewayAccount, credential: GatewayAccountCredential, amount: int) -> None:
    """Step 10: Stripe's 30p minimum, then the zero-amount switch."""
    if credential.payment_provider == "stripe" and amount < STRIPE_MINIMUM_AMOUNT:
        raise Unprocessable(
            "Payments under 30 pence are not allowed for Stripe accounts",
            error_identifier="AMOUNT_BELOW_MINIMUM",
        )
    if amount == 0 and not account.allow_zero_amount:
        raise Unprocessable(
            "Zero amount charges are not enabled for this gateway account",
            error_identifier="ZERO_AMOUNT_NOT_ALLOWED",
        )


async def check_agreement(
    session: AsyncSession, account: GatewayAccount, request: ChargeCreateRequest
) -> None:
    """Step 11: the named agreement must be one of this account's (400 ``AGREEMENT_NOT_FOUND``);
    step 13: an agreement payment needs its ACTIVE instrument (400 ``AGREEMENT_NOT_ACTIVE``), so a
    cancelled or inactive agreement refuses payments (connector.md §4.2)."""
    if request.agreement_id is None:
        return
    agreement = await agreements_service.agreement_for_charge(session, account.id, request.agreement_id)
    if request.mode is AuthorisationMode.AGREEMENT:
        await agreements_service.active_instrument_for_charge(session, agreement)


class CreatedCharge(NamedTuple):
    """A charge just inserted in CREATED, and the one-time token its view links to (if it needs one);
    or, ``replayed``, the charge an earlier request with the same Idempotency-Key created."""

    charge: Charge
    token: str | None
    replayed: bool = False


def _new_charge_values(
    account: GatewayAccount, credential: GatewayAccountCredential, request: ChargeCreateRequest
) -> dict[str, Any]:
    """Every column of ``repository.NEW_CHARGE_COLUMNS`` for a new charge (UNDEFINED until inserted)."""
    mode = request.mode
    now = utc_now()
    payment_type = request.agreement_payment_type
    if payment_type is None and (request.save_to_agreement or mode is AuthorisationMode.AGREEMENT):
        payment_type = "recurring"
    values: dict[str, Any] = {
        "external_id": new_external_id(),
        "amount": request.amount,
        "status": ChargeStatus.UNDEFINED.value,
        "return_url": request.return_url_given,
        "gateway_account_id": account.id,
        "gateway_account_credential_id": credential.id,
        "payment_provider": credential.payment_provider,
        "description": request.description,
        "reference": request.reference,
        "email": request.email_given,
        "language": request.language or "en",
        "delayed_capture": bool(request.delayed_capture),
        "moto": mode is AuthorisationMode.MOTO_API or bool(request.moto),
        "external_metadata": request.metadata or None,
        "source": request.source_given,
        "authorisation_mode": mode.value.upper(),
        "service_id": account.service_id,
        "agreement_external_id": request.agreement_id,
        "agreement_payment_type": payment_type,
        "save_payment_instrument_to_agreement": request.save_to_agreement,
        "created_date": now,
        "updated_date": now,
    }
    values.update(_prefilled_values(request))
    return values


_NO_PREFILLED: dict[str, str | None] = {
    "cardholder_name": None,
    "address_line1": None,
    "address_line2": None,
    "address_postcode": None,
    "address_city": None,
    "address_county": None,
    "address_country": None,
}


def _prefilled_values(request: ChargeCreateRequest) -> dict[str, str | None]:
    details = request.prefilled_cardholder_details
    if details is None:
        return _NO_PREFILLED
    values = {**_NO_PREFILLED, "cardholder_name": details.cardholder_name}
    address = details.billing_address
    if address is None:
        return values
    values["address_line1"] = address.line1
    values["address_line2"] = address.line2
    values["address_postcode"] = address.postcode
    values["address_city"] = address.city
    values["address_county"] = address.county
    # The original keeps the country only when it is a 2-letter code.
    values["address_country"] = address.country if address.country and len(address.country) == 2 else None
    return values


async def _insert_created(session: AsyncSession, values: dict[str, Any]) -> CreatedCharge:
    """Insert the charge, UNDEFINED → CREATED through the state module, with its event and token."""
    charge = Charge(**values)  # transient: the view reads it; insert_as writes its row
    # UNDEFINED and CREATED show the same external state, so the view's links are known now.
    token = new_uuid() if needs_new_token(charge) else None
    await insert_as(session, charge, ChargeStatus.CREATED, token=token)
    metrics.record_charge_status(charge.payment_provider, ChargeStatus.CREATED.value)
    return CreatedCharge(charge, token)


class ChargeCreation(NamedTuple):
    """One create request as its endpoint read it: the validated body, the Idempotency-Key header
    (honoured for agreement payments, §4.4: a replay answers with the charge the key created first)
    and whether a reference that looks like a card number is refused (a setting)."""

    request: ChargeCreateRequest
    idempotency_key: str | None = None
    reject_card_number_reference: bool = True


async def create_charge(session: AsyncSession, *, account_id: str, creation: ChargeCreation) -> CreatedCharge:
    """``POST /v1/api/accounts/{accountId}/charges``: steps 1–14 of §4.2, then persist.

    Every check runs before the first write, so a refusal leaves nothing behind.
    """
    check_return_url(creation.request)
    numeric_id = parse_account_id(account_id)
    # The account and its credentials in one query: the credentials are only read, after step 4.
    found = await repository.account_with_credentials(session, numeric_id) if numeric_id else None
    if found is None:
        raise UnknownGatewayAccount(account_id)
    account, credentials = found
    return await create_charge_on_account(
        session, account=account, creation=creation, credentials=credentials
    )


async def create_charge_for_service(
    session: AsyncSession, *, service_id: str, account_type: str, creation: ChargeCreation
) -> CreatedCharge:
    """``POST /v1/api/service/{serviceId}/account/{accountType}/charges``: the same, by service and type."""
    check_return_url(creation.request)
    account = await accounts_service.get_service_account(session, service_id, account_type)
    return await create_charge_on_account(session, account=account, creation=creation)


async def create_charge_on_account(
    session: AsyncSession,
    *,
    account: GatewayAccount,
    creation: ChargeCreation,
    credentials: Sequence[GatewayAccountCredential] | None = None,
) -> CreatedCharge:
    """Steps 4–14 for a known account; the charge is inserted in CREATED with its PAYMENT_CREATED event
    and, when its view links to the payment pages or the authorisation API, its one-time token.

    ``credentials``: the account's credentials when the caller already read them.
    """
    request = creation.request
    idempotent = idempotency_service.honoured(account.id, request, creation.idempotency_key)
    if idempotent is not None and (earlier := await idempotency_service.earlier_charge(session, idempotent)):
        return await _replayed(session, account, earlier)
    check_live_return_url(account, request)
    if credentials is None:
        credentials = await accounts_repository.credentials_of(session, account.id)
    credential = choose_credential(account, credentials, request.credential_id)
    check_enabled_and_moto(account, request)
    if creation.reject_card_number_reference:
        check_reference_is_not_a_card_number(request)
    check_agreement_options(account, request)
    assert request.amount is not None  # bean validation guarantees it
    check_amount(account, credential, request.amount)
    await check_agreement(session, account, request)
    values = _new_charge_values(account, credential, request)
    if idempotent is not None and (
        earlier := await idempotency_service.claim(session, idempotent, values["external_id"])
    ):
        return await _replayed(session, account, earlier)  # a concurrent request with the key won
    created = await _insert_created(session, values)
    charge = created.charge
    logger.info(
        "charge.created",
        charge_id=charge.external_id,
        account_id=account.id,
        amount=charge.amount,
        provider=charge.payment_provider,
        authorisation_mode=charge.authorisation_mode,
    )
    return created


async def _replayed(session: AsyncSession, account: GatewayAccount, charge_external_id: str) -> CreatedCharge:
    charge = await repository.get_for_account(session, account.id, charge_external_id)
    if charge is None:  # pragma: no cover - the key's row is written with its charge
        raise ChargeNotFound(charge_external_id)
    logger.info("charge.create.idempotent_replay", charge_id=charge_external_id, account_id=account.id)
    return CreatedCharge(charge, None, replayed=True)


# --- loading ----------------------------------------------------------------------------------


async def get_charge_for_account(
    session: AsyncSession, account_id: str, charge_id: str, *, for_update: bool = False
) -> Charge:
    """The charge of that account, or 404 ``Charge with id [x] not found.``."""
    charge = await repository.get_for_account(
        session, parse_account_id(account_id), charge_id, for_update=for_update
    )
    if charge is None:
        raise ChargeNotFound(charge_id)
    return charge


async def get_charge_for_service(
    session: AsyncSession, service_id: str, account_type: str, charge_id: str
) -> Charge:
    """The charge of the service's account of that type, or 404."""
    account = await accounts_service.get_service_account(session, service_id, account_type)
    charge = await repository.get_for_account(session, account.id, charge_id)
    if charge is None:
        raise ChargeNotFound(charge_id)
    return charge


async def get_charge(session: AsyncSession, charge_id: str, *, for_update: bool = False) -> Charge:
    """The charge by external id (frontend routes), or 404 ``Charge with id [x] not found.``."""
    charge = await repository.get_by_external_id(session, charge_id, for_update=for_update)
    if charge is None:
        raise ChargeNotFound(charge_id)
    return charge
