"""Provider states for the publicapi → connector pacts, built in the database.

Mounted only on the connector served to the pact verifier (never in the service itself):
``POST /_pact/provider-states`` receives ``{"state", "params", "action"}``. ``setup`` builds
the rows the state names; ``teardown`` (after each interaction) empties the tables, so
every interaction starts from an empty database.

Values the pacts match exactly (amounts, descriptions, dates, statuses) are set here to the
pacts' example values.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from connector.charges.schemas import validate_charge_request
from connector.idempotency.service import fingerprint
from connector.models import (
    Agreement,
    CardType,
    Charge,
    Fee,
    GatewayAccount,
    GatewayAccountCredential,
    Idempotency,
    Token,
    accepted_card_types,
)
from pay_common.ids import new_external_id, new_uuid_hex
from pay_common.testing.database import emptying_statements
from tests.factories import create_agreement
from tests.publicapi.factories import create_charge, create_refund

PATH = "/_pact/provider-states"
KEEP_TABLES = frozenset({"alembic_version", "card_types"})

Params = dict[str, str]
StateBuilder = Callable[[AsyncSession, Params], Awaitable[None]]

#: Example values of the pacts' charges.
PACT_CHARGE: dict[str, Any] = {
    "amount": 100,
    "description": "Test description",
    "reference": "aReference",
    "return_url": "https://somewhere.gov.uk/rainbow/1",
    "language": "en",
}
AUTHORISED = ("CREATED", "ENTERING CARD DETAILS", "AUTHORISATION READY", "AUTHORISATION SUCCESS")
CAPTURED = (*AUTHORISED, "CAPTURE APPROVED", "CAPTURE READY", "CAPTURE SUBMITTED")
#: Events of a captured charge whose capture times are unknown (settlement_summary all null).
CAPTURED_WITHOUT_SETTLEMENT = (*AUTHORISED, "CAPTURE APPROVED")


async def _account(
    session: AsyncSession,
    account_id: str,
    *,
    payment_provider: str = "sandbox",
    credential_state: str = "ACTIVE",
    **flags: Any,
) -> GatewayAccount:
    """The account with this id, created on first use; ``flags`` are set on it either way."""
    account = await session.get(GatewayAccount, int(account_id))
    if account is None:
        account = GatewayAccount(
            id=int(account_id),
            external_id=new_uuid_hex(),
            type="TEST",
            service_id=new_uuid_hex(),
            service_name="Pact service",
            description="Pact provider state",
        )
        session.add(account)
        await session.flush()
        session.add(
            GatewayAccountCredential(
                external_id=new_uuid_hex(),
                gateway_account_id=account.id,
                payment_provider=payment_provider,
                credentials={},
                state=credential_state,
            )
        )
        card_types = (
            await session.scalars(select(CardType.id).where(CardType.requires_3ds.is_(False)))
        ).all()
        await session.execute(
            insert(accepted_card_types),
            [{"gateway_account_id": account.id, "card_type_id": card_type} for card_type in card_types],
        )
    for name, value in flags.items():
        setattr(account, name, value)
    await session.commit()
    return account


async def _charge(
    session: AsyncSession, params: Params, *, status: str, history: tuple[str, ...] = (), **fields: Any
) -> None:
    account = await _account(session, params.get("gateway_account_id") or params["account_id"])
    charge_id = params.get("charge_id") or params["charge_external_id"]
    await create_charge(
        session, account, status=status, history=history, external_id=charge_id, **{**PACT_CHARGE, **fields}
    )


async def _fee(session: AsyncSession, charge_external_id: str, amount: int) -> None:
    charge = (await session.scalars(select(Charge).where(Charge.external_id == charge_external_id))).one()
    session.add(
        Fee(
            external_id=new_external_id(),
            charge_id=charge.id,
            amount_due=amount,
            amount_collected=amount,
            fee_type="transaction",
        )
    )
    await session.commit()


def _flag(**flags: Any) -> StateBuilder:
    async def build(session: AsyncSession, params: Params) -> None:
        await _account(session, params["gateway_account_id"], **flags)

    return build


async def worldpay_account_with_created_credentials(session: AsyncSession, params: Params) -> None:
    # The pact expects ACCOUNT_NOT_LINKED_WITH_PSP: the credential is not yet usable.
    await _account(
        session, params["gateway_account_id"], payment_provider="worldpay", credential_state="CREATED"
    )


async def a_charge_exists(session: AsyncSession, params: Params) -> None:
    metadata = json.loads(params["metadata"]) if "metadata" in params else None
    await _charge(
        session,
        params,
        status="AWAITING CAPTURE REQUEST",
        history=AUTHORISED,
        gateway_transaction_id=params.get("gateway_transaction_id", "gateway-tx-123456"),
        external_metadata=metadata,
        corporate_surcharge=250,
        delayed_capture=True,
        requires_3ds=True,
        version_3ds="2.1.0",
    )


async def a_canceled_charge_exists(session: AsyncSession, params: Params) -> None:
    await _charge(session, params, status="SYSTEM CANCELLED", history=("CREATED",))


async def a_charge_with_card_details_exists(session: AsyncSession, params: Params) -> None:
    await _charge(
        session,
        params,
        status="CREATED",
        cardholder_name="J. Bogs",
        last_digits_card_number="4242",
        first_digits_card_number="424242",
        expiry_date="12/30",
        card_brand="visa",
    )


async def awaiting_capture_request(session: AsyncSession, params: Params) -> None:
    await _charge(
        session, params, status="AWAITING CAPTURE REQUEST", history=AUTHORISED, delayed_capture=True
    )


async def delayed_capture_created(session: AsyncSession, params: Params) -> None:
    await _charge(session, params, status="CREATED", delayed_capture=True)


async def rejected_with_events(session: AsyncSession, params: Params) -> None:
    await _charge(session, params, status="AUTHORISATION REJECTED", history=("CREATED",))


async def a_payment_refund_exists(session: AsyncSession, params: Params) -> None:
    await _charge(session, params, status="CAPTURED", history=CAPTURED, gateway_transaction_id="gw-1")
    charge = await _find_charge(session, params["charge_id"])
    await create_refund(
        session,
        charge,
        amount=100,
        status="REFUNDED",
        external_id=params["refund_id"],
        created_date=_instant(params.get("created_date", "2018-09-22T10:14:16.067Z")),
    )


async def refunds_exist_for_a_charge(session: AsyncSession, params: Params) -> None:
    await _charge(session, params, status="CAPTURED", history=CAPTURED, gateway_transaction_id="gw-1")
    charge = await _find_charge(session, params["charge_id"])
    for status, created in (("REFUNDED", "2016-01-25T13:23:55Z"), ("REFUND ERROR", "2016-01-25T16:23:55Z")):
        await create_refund(
            session,
            charge,
            amount=1,
            status=status,
            created_date=_instant(created),
            user_external_id="d77458fb878b4aba88b8164368be3d16",
        )


async def success_with_fee(session: AsyncSession, params: Params) -> None:
    await _charge(
        session,
        params,
        status="CAPTURED",
        events=CAPTURED_WITHOUT_SETTLEMENT,
        gateway_transaction_id="gateway-tx-123456",
    )
    await _fee(session, params["charge_id"], 5)


async def honoured_corporate_exemption(session: AsyncSession, params: Params) -> None:
    await _charge(
        session,
        params,
        status="CAPTURED",
        events=CAPTURED_WITHOUT_SETTLEMENT,
        gateway_transaction_id="gateway-tx-123456",
        exemption_3ds_requested="CORPORATE",
        exemption_3ds="HONOURED",
    )
    await _fee(session, params["charge_id"], 5)


async def apple_pay_charge(session: AsyncSession, params: Params) -> None:
    await _charge(
        session,
        params,
        status="CAPTURED",
        events=CAPTURED_WITHOUT_SETTLEMENT,
        cardholder_name="aName",
        wallet="APPLE_PAY",
    )


#: A moto_api charge as the MOTO pacts show it: no return_url, moto forced on.
MOTO_API_CHARGE: dict[str, Any] = {
    "amount": 100,
    "description": "a description",
    "reference": "a reference",
    "return_url": None,
    "moto": True,
    "authorisation_mode": "MOTO_API",
}


async def moto_api_charge(session: AsyncSession, params: Params) -> None:
    await _account(session, params["gateway_account_id"], allow_authorisation_api=True)
    await _charge(session, params, status="CREATED", **MOTO_API_CHARGE)


async def moto_api_charge_with_token(session: AsyncSession, params: Params) -> None:
    await moto_api_charge(session, params)
    charge = await _find_charge(session, params["charge_id"])
    session.add(
        Token(
            charge_id=charge.id,
            secure_redirect_token=params["one_time_token"],
            created_date=charge.created_date,
            used=params.get("one_time_token_used") == "true",
        )
    )
    await session.commit()


def _agreement(status: str) -> StateBuilder:
    """An agreement with the pact's id on a recurring-enabled account (ACTIVE ones hold an ACTIVE instrument)."""

    async def build(session: AsyncSession, params: Params) -> None:
        account = await _account(session, params["gateway_account_id"], recurring_enabled=True)
        await create_agreement(session, account, status=status, external_id=params["agreement_external_id"])

    return build


async def _agreement_account(session: AsyncSession, agreement_external_id: str) -> GatewayAccount:
    agreement = (
        await session.scalars(select(Agreement).where(Agreement.external_id == agreement_external_id))
    ).one()
    account = await session.get(GatewayAccount, agreement.gateway_account_id)
    assert account is not None
    return account


async def rejected_agreement_payment(session: AsyncSession, params: Params) -> None:
    """A declined agreement payment that may be tried again (``state.can_retry`` true)."""
    account = await _agreement_account(session, params["agreement_external_id"])
    await create_charge(
        session,
        account,
        status="AUTHORISATION REJECTED",
        history=("CREATED", "AUTHORISATION USER NOT PRESENT QUEUED", "AUTHORISATION READY"),
        external_id=params["charge_external_id"],
        **{**PACT_CHARGE, "amount": int(params["amount"])},
        authorisation_mode="AGREEMENT",
        agreement_external_id=params["agreement_external_id"],
        agreement_payment_type="recurring",
        can_retry=True,
        created_date=_instant("2018-09-07T13:12:02.121Z"),
    )


async def charge_with_idempotency_key(session: AsyncSession, params: Params) -> None:
    """An agreement payment created with an Idempotency-Key, the key's row holding its request."""
    account = await _account(session, params["gateway_account_id"])
    body = {
        "amount": int(params["amount"]),
        "reference": params["reference"],
        "description": params["description"],
        "agreement_id": params["agreement_external_id"],
        "authorisation_mode": "agreement",
    }
    created = _instant(params["created"])
    await create_charge(
        session,
        account,
        status="CREATED",
        external_id=params["charge_external_id"],
        amount=body["amount"],
        reference=body["reference"],
        description=body["description"],
        return_url=None,
        authorisation_mode="AGREEMENT",
        agreement_external_id=params["agreement_external_id"],
        agreement_payment_type="recurring",
        created_date=created,
    )
    request = validate_charge_request(json.dumps(body).encode(), params["idempotency_key"])
    session.add(
        Idempotency(
            key=params["idempotency_key"],
            gateway_account_id=account.id,
            resource_external_id=params["charge_external_id"],
            request_body=fingerprint(request),
            # The key is fresh (the charge's date is the pact's example): an expired key would not count.
            created_date=datetime.now(UTC),
        )
    )
    await session.commit()


STATES: dict[str, StateBuilder] = {
    "a gateway account with external id exists": _flag(),
    "the gateway account is disabled": _flag(disabled=True),
    "a gateway account has moto payments enabled": _flag(allow_moto=True),
    "a gateway account has telephone payment notifications enabled": _flag(
        allow_telephone_payment_notifications=True
    ),
    "a gateway account has authorisation_api enabled": _flag(allow_authorisation_api=True),
    "a gateway account with MOTO enabled and an external id 667 exists in the database": _flag(
        allow_moto=True
    ),
    "a Worldpay gateway account with id 444 with gateway account credentials with id 555 and valid credentials": (
        worldpay_account_with_created_credentials
    ),
    "a gateway account with external id and recurring payment enabled exists": _flag(recurring_enabled=True),
    "a gateway account and an active agreement exists": _agreement("ACTIVE"),
    "a gateway account and an agreement with cancelled status exists": _agreement("CANCELLED"),
    "a gateway account and a new agreement exists": _agreement("CREATED"),
    "a charge exists": a_charge_exists,
    "a canceled charge exists": a_canceled_charge_exists,
    "a charge with card details exists": a_charge_with_card_details_exists,
    "a charge with delayed capture true and awaiting capture request status exists": awaiting_capture_request,
    "a charge with delayed capture true exists": delayed_capture_created,
    "Gateway account 42 exists and has a charge with id abc123 and has CREATED and AUTHORISATION_REJECTED "
    "charge events": rejected_with_events,
    "a payment refund exists": a_payment_refund_exists,
    "Refunds exist for a charge": refunds_exist_for_a_charge,
    "a charge with fee and net_amount exists": success_with_fee,
    "a charge with honoured corporate exemption exists": honoured_corporate_exemption,
    "a charge with wallet type APPLE_PAY exists": apple_pay_charge,
    "a charge with authorisation mode moto_api exists": moto_api_charge,
    "a charge with authorisation mode moto_api and one_time_token exists": moto_api_charge_with_token,
    "a charge with authorisation mode agreement and rejected status exists": rejected_agreement_payment,
    "a charge created with an idempotency key for an agreement exists": charge_with_idempotency_key,
}


async def _find_charge(session: AsyncSession, external_id: str) -> Charge:
    charge = await session.scalar(select(Charge).where(Charge.external_id == external_id))
    assert charge is not None
    return charge


def _instant(value: str) -> datetime:
    return datetime.fromisoformat(value).astimezone(UTC)


async def _empty_tables(session: AsyncSession) -> None:
    async def fetch(sql: str) -> Sequence[Sequence[Any]]:
        return (await session.execute(text(sql))).all()

    for statement in await emptying_statements(fetch, keep=KEEP_TABLES):
        await session.execute(text(statement))
    await session.commit()


router = APIRouter()


@router.post(PATH, include_in_schema=False)
async def provider_state(request: Request) -> JSONResponse:
    change = await request.json()
    state, action = change.get("state") or "", change.get("action", "setup")
    params = {key: str(value) for key, value in (change.get("params") or {}).items()}
    async with request.app.state.sessionmaker() as session:
        if action == "teardown":
            await _empty_tables(session)
        elif state in STATES:
            await STATES[state](session, params)
        elif state:
            return JSONResponse({"error": f"unknown provider state: {state}"}, status_code=400)
    return JSONResponse({})
