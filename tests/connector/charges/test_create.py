"""POST /v1/api/accounts/{accountId}/charges: every refusal of connector.md §4.1/§4.2 with its
exact body (and nothing written), then what a created charge looks like and stores."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from connector.models import Charge, ChargeEvent, GatewayAccount, GatewayAccountCredential, Token
from pay_common.ids import new_uuid_hex
from tests.factories import create_account

RETURN_URL = "https://service.gov.uk/return"
MINIMUM = {"amount": 1000, "description": "A licence", "reference": "REF-1", "return_url": RETURN_URL}


def body(**changes: Any) -> dict[str, Any]:
    payload = {**MINIMUM, **changes}
    return {key: value for key, value in payload.items() if value is not ...}


async def post(
    client: httpx.AsyncClient, account: GatewayAccount | str, payload: Any, **kwargs: Any
) -> httpx.Response:
    account_id = account if isinstance(account, str) else str(account.id)
    return await client.post(f"/v1/api/accounts/{account_id}/charges", json=payload, **kwargs)


async def assert_nothing_written(session: AsyncSession) -> None:
    for model in (Charge, ChargeEvent, Token):
        assert await session.scalar(select(func.count()).select_from(model)) == 0, model.__name__


def error(identifier: str, *messages: str) -> dict[str, Any]:
    return {"error_identifier": identifier, "message": list(messages)}


# --- 400: unparsable or mistyped bodies -----------------------------------------------------------


@pytest.mark.asyncio
@pytest.mark.parametrize("raw", [b"{not json", b"", b"[1, 2]", b'"a string"', b"null"])
async def test_a_body_that_is_not_a_json_object_is_400(
    connector_client: httpx.AsyncClient, db_session: AsyncSession, raw: bytes
) -> None:
    account = await create_account(db_session)

    response = await connector_client.post(
        f"/v1/api/accounts/{account.id}/charges", content=raw, headers={"Content-Type": "application/json"}
    )

    assert response.status_code == 400
    assert response.json() == error("GENERIC", "Unable to parse JSON")
    await assert_nothing_written(db_session)


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"amount": "1000"}, "Field [amount] must be an integer"),
        ({"amount": 10.5}, "Field [amount] must be an integer"),
        ({"amount": True}, "Field [amount] must be an integer"),
        ({"description": 12}, "Field [description] must be a string"),
        ({"delayed_capture": "yes"}, "Field [delayed_capture] must be a boolean"),
        ({"moto": 1}, "Field [moto] must be a boolean"),
        ({"metadata": ["a", "b"]}, "Field [metadata] must be an object"),
        (
            {"prefilled_cardholder_details": "J Bloggs"},
            "Field [prefilled_cardholder_details] must be an object",
        ),
        (
            {"prefilled_cardholder_details": {"billing_address": {"line1": 7}}},
            "Field [prefilled_cardholder_details.billing_address.line1] must be a string",
        ),
        (
            {"source": "CARD_EXTERNAL_TELEPHONE"},
            "Field [source] must be one of CARD_API, CARD_PAYMENT_LINK, CARD_AGENT_INITIATED_MOTO",
        ),
        (
            {"source": "card_api"},
            "Field [source] must be one of CARD_API, CARD_PAYMENT_LINK, CARD_AGENT_INITIATED_MOTO",
        ),
        ({"language": "fr"}, "Field [language] must be one of en, cy"),
        (
            {"authorisation_mode": "external"},
            "Field [authorisation_mode] must be one of web, moto_api, agreement",
        ),
        (
            {"agreement_payment_type": "monthly"},
            "Field [agreement_payment_type] must be one of instalment, recurring, unscheduled",
        ),
    ],
)
async def test_wrong_json_types_and_unknown_enum_values_are_400(
    connector_client: httpx.AsyncClient, db_session: AsyncSession, changes: dict[str, Any], message: str
) -> None:
    account = await create_account(db_session)

    response = await post(connector_client, account, body(**changes))

    assert response.status_code == 400
    assert response.json() == error("GENERIC", message)
    await assert_nothing_written(db_session)


# --- 422: bean-validation rules, one message per violation ---------------------------------------


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("payload", "messages"),
    [
        (
            {"return_url": RETURN_URL},
            [
                "Field [amount] cannot be null",
                "Field [description] cannot be null",
                "Field [reference] cannot be null",
            ],
        ),
        (body(amount=None), ["Field [amount] cannot be null"]),
        (body(amount=10_000_001), ["Field [amount] can be between 0 and 10_000_000"]),
        (body(amount=-1), ["Field [amount] can be between 0 and 10_000_000"]),
        (body(description="d" * 256), ["Field [description] can have a size between 0 and 255"]),
        (body(reference="r" * 256), ["Field [reference] can have a size between 0 and 255"]),
        (body(email="e" * 255), ["Field [email] can have a size between 0 and 254"]),
        (body(agreement_id="a" * 25), ["Field [agreementId] length must be 26"]),
        (
            body(prefilled_cardholder_details={"cardholder_name": "n" * 256}),
            ["Field [prefilled_cardholder_details.cardholder_name] can have a size between 0 and 255"],
        ),
        (
            body(prefilled_cardholder_details={"billing_address": {"postcode": "p" * 26, "city": "c" * 256}}),
            [
                "Field [prefilled_cardholder_details.billing_address.city] can have a size between 0 and 255",
                "Field [prefilled_cardholder_details.billing_address.postcode] can have a size between 0 and 25",
            ],
        ),
        (
            body(amount=-5, description="d" * 300),
            [
                "Field [amount] can be between 0 and 10_000_000",
                "Field [description] can have a size between 0 and 255",
            ],
        ),
    ],
)
async def test_field_rule_violations_are_422_with_one_message_each(
    connector_client: httpx.AsyncClient,
    db_session: AsyncSession,
    payload: dict[str, Any],
    messages: list[str],
) -> None:
    account = await create_account(db_session)

    response = await post(connector_client, account, payload)

    assert response.status_code == 422
    assert response.json() == error("GENERIC", *messages)
    await assert_nothing_written(db_session)


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("metadata", "messages"),
    [
        ({f"key{i}": i for i in range(11)}, ["Field [metadata] cannot have more than 10 key-value pairs"]),
        ({"k" * 31: "v"}, ["Field [metadata] keys must be between 1 and 30 characters long"]),
        ({"": "v"}, ["Field [metadata] keys must be between 1 and 30 characters long"]),
        ({"nested": {"a": 1}}, ["Field [metadata] values must be of type String, Boolean or Number"]),
        ({"list": [1, 2]}, ["Field [metadata] values must be of type String, Boolean or Number"]),
        ({"long": "v" * 101}, ["Field [metadata] values must be no greater than 100 characters long"]),
        ({"empty": None}, ["Field [metadata] must not have null values"]),
        ({"Key": "a", "key": "b"}, ["Field [metadata] must have case insensitive unique keys"]),
        (
            {"k" * 31: None, "long": "v" * 101},
            [
                "Field [metadata] keys must be between 1 and 30 characters long",
                "Field [metadata] must not have null values",
                "Field [metadata] values must be no greater than 100 characters long",
            ],
        ),
    ],
)
async def test_metadata_limits_are_422(
    connector_client: httpx.AsyncClient,
    db_session: AsyncSession,
    metadata: dict[str, Any],
    messages: list[str],
) -> None:
    account = await create_account(db_session)

    response = await post(connector_client, account, body(metadata=metadata))

    assert response.status_code == 422
    assert response.json() == error("GENERIC", *messages)
    await assert_nothing_written(db_session)


@pytest.mark.asyncio
@pytest.mark.parametrize("key", ["", "k" * 256])
async def test_an_idempotency_key_outside_1_to_255_characters_is_422(
    connector_client: httpx.AsyncClient, db_session: AsyncSession, key: str
) -> None:
    account = await create_account(db_session)

    response = await post(connector_client, account, body(), headers={"Idempotency-Key": key})

    assert response.status_code == 422
    assert response.json() == error("GENERIC", "Header [Idempotency-Key] can have a size between 1 and 255")
    await assert_nothing_written(db_session)


@pytest.mark.asyncio
async def test_an_idempotency_key_of_255_characters_is_accepted(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    account = await create_account(db_session)

    response = await post(connector_client, account, body(), headers={"Idempotency-Key": "k" * 255})

    assert response.status_code == 201


# --- §4.2 step 1: return_url --------------------------------------------------------------------


@pytest.mark.asyncio
@pytest.mark.parametrize("changes", [{"return_url": ...}, {"return_url": ""}, {"return_url": None}])
async def test_a_web_payment_without_return_url_is_422(
    connector_client: httpx.AsyncClient, db_session: AsyncSession, changes: dict[str, Any]
) -> None:
    account = await create_account(db_session)

    response = await post(connector_client, account, body(**changes))

    assert response.status_code == 422
    assert response.json() == error("MISSING_MANDATORY_ATTRIBUTE", "Missing mandatory attribute: return_url")
    await assert_nothing_written(db_session)


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "url",
    [
        "invalid",
        "ftp://service.gov.uk/x",
        "https://",
        "https://exa mple.com/",
        "//service.gov.uk/x",
        "https://bad_host.com/",
    ],
)
async def test_an_invalid_return_url_is_422(
    connector_client: httpx.AsyncClient, db_session: AsyncSession, url: str
) -> None:
    account = await create_account(db_session)

    response = await post(connector_client, account, body(return_url=url))

    assert response.status_code == 422
    assert response.json() == error(
        "INVALID_ATTRIBUTE_VALUE", "Invalid attribute value: return_url. Must be a valid URL format"
    )
    await assert_nothing_written(db_session)


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "url",
    [
        "http://localhost:3000/return",
        "http://service.local/success-page/",
        "https://pay.service.internal//double/slash",
        "https://www.gov.uk/done?x=1#frag",
        "http://127.0.0.1:8080/",
    ],
)
async def test_local_and_unusual_but_valid_return_urls_are_accepted(
    connector_client: httpx.AsyncClient, db_session: AsyncSession, url: str
) -> None:
    account = await create_account(db_session)

    response = await post(connector_client, account, body(return_url=url))

    assert response.status_code == 201
    assert response.json()["return_url"] == url


@pytest.mark.asyncio
@pytest.mark.parametrize("mode", ["moto_api", "agreement"])
async def test_a_return_url_is_unexpected_outside_web_mode(
    connector_client: httpx.AsyncClient, db_session: AsyncSession, mode: str
) -> None:
    account = await create_account(db_session, allow_authorisation_api=True, recurring_enabled=True)

    response = await post(connector_client, account, body(authorisation_mode=mode))

    assert response.status_code == 422
    assert response.json() == error("UNEXPECTED_ATTRIBUTE", "Unexpected attribute: return_url")
    await assert_nothing_written(db_session)


@pytest.mark.asyncio
async def test_field_rules_are_checked_before_the_return_url(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    account = await create_account(db_session)

    response = await post(connector_client, account, body(amount=None, return_url=...))

    assert response.status_code == 422
    assert response.json() == error("GENERIC", "Field [amount] cannot be null")


# --- §4.2 steps 3-11: account rules -----------------------------------------------------------------


@pytest.mark.asyncio
@pytest.mark.parametrize("account_id", ["999999", "abc", "0", "99999999999999999999"])
async def test_an_unknown_account_is_404(
    connector_client: httpx.AsyncClient, db_session: AsyncSession, account_id: str
) -> None:
    response = await post(connector_client, account_id, body())

    assert response.status_code == 404
    assert response.json() == error("GENERIC", f"Unknown gateway account: {account_id}")
    await assert_nothing_written(db_session)


@pytest.mark.asyncio
async def test_the_return_url_is_checked_before_the_account_exists(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    response = await post(connector_client, "999999", body(return_url="invalid"))

    assert response.status_code == 422
    assert response.json()["error_identifier"] == "INVALID_ATTRIBUTE_VALUE"


@pytest.mark.asyncio
async def test_a_live_account_refuses_a_non_https_return_url(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    account = await create_account(db_session, type="LIVE")

    response = await post(connector_client, account, body(return_url="http://service.gov.uk/return"))

    assert response.status_code == 422
    assert response.json() == error(
        "NON_HTTPS_RETURN_URL_NOT_ALLOWED_FOR_A_LIVE_ACCOUNT",
        "Invalid attribute value: return_url. Must begin with https:// for a live gateway account",
    )
    await assert_nothing_written(db_session)


@pytest.mark.asyncio
async def test_a_live_account_accepts_an_https_return_url(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    account = await create_account(db_session, type="LIVE")

    assert (await post(connector_client, account, body())).status_code == 201


NOT_LINKED = error(
    "ACCOUNT_NOT_LINKED_WITH_PSP", "Payment provider details are not configured on this account"
)


@pytest.mark.asyncio
async def test_an_account_whose_credential_is_still_created_is_400(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    account = await create_account(db_session, payment_provider="worldpay", credential_state="CREATED")

    response = await post(connector_client, account, body())

    assert response.status_code == 400
    assert response.json() == NOT_LINKED
    await assert_nothing_written(db_session)


async def add_credential(
    session: AsyncSession,
    account: GatewayAccount,
    *,
    provider: str,
    state: str,
    started: datetime | None = None,
) -> GatewayAccountCredential:
    credential = GatewayAccountCredential(
        external_id=new_uuid_hex(),
        gateway_account_id=account.id,
        payment_provider=provider,
        credentials={},
        state=state,
        active_start_date=started,
    )
    session.add(credential)
    await session.commit()
    return credential


@pytest.mark.asyncio
async def test_with_several_credentials_the_latest_active_one_is_used(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    account = await create_account(db_session, credential_state="RETIRED")
    now = datetime.now(UTC)
    await add_credential(
        db_session, account, provider="worldpay", state="ACTIVE", started=now - timedelta(days=2)
    )
    newest = await add_credential(db_session, account, provider="stripe", state="ACTIVE", started=now)

    response = await post(connector_client, account, body())

    assert response.status_code == 201
    assert response.json()["payment_provider"] == "stripe"
    stored = await db_session.scalar(select(Charge).where(Charge.external_id == response.json()["charge_id"]))
    assert stored is not None
    assert stored.gateway_account_credential_id == newest.id


@pytest.mark.asyncio
async def test_with_several_credentials_and_none_active_the_account_is_not_linked(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    account = await create_account(db_session, credential_state="RETIRED")
    await add_credential(db_session, account, provider="worldpay", state="ENTERED")

    response = await post(connector_client, account, body())

    assert response.status_code == 400
    assert response.json() == NOT_LINKED


@pytest.mark.asyncio
async def test_a_named_credential_must_exist_and_be_usable(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    account = await create_account(db_session)
    retired = await add_credential(db_session, account, provider="worldpay", state="RETIRED")
    entered = await add_credential(db_session, account, provider="stripe", state="ENTERED")

    unknown = await post(connector_client, account, body(credential_id="nope"))
    not_usable = await post(connector_client, account, body(credential_id=retired.external_id))
    usable = await post(connector_client, account, body(credential_id=entered.external_id))

    assert unknown.status_code == 400
    assert unknown.json() == error(
        "GENERIC",
        f"Credentials not found for gateway account [{account.id}] and credential_external_id [nope]",
    )
    assert not_usable.status_code == 400
    assert not_usable.json() == NOT_LINKED
    assert usable.status_code == 201
    assert usable.json()["payment_provider"] == "stripe"


@pytest.mark.asyncio
async def test_a_disabled_account_is_403(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    account = await create_account(db_session, disabled=True)

    response = await post(connector_client, account, body())

    assert response.status_code == 403
    assert response.json() == error("ACCOUNT_DISABLED", "This gateway account is disabled")
    await assert_nothing_written(db_session)


@pytest.mark.asyncio
async def test_an_unlinked_credential_is_reported_before_a_disabled_account(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    account = await create_account(db_session, disabled=True, credential_state="CREATED")

    response = await post(connector_client, account, body())

    assert response.json() == NOT_LINKED


@pytest.mark.asyncio
async def test_moto_is_422_when_the_account_does_not_allow_it(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    account = await create_account(db_session)

    response = await post(connector_client, account, body(moto=True))

    assert response.status_code == 422
    assert response.json() == error(
        "MOTO_NOT_ALLOWED", "MOTO payments are not enabled for this gateway account"
    )
    await assert_nothing_written(db_session)


@pytest.mark.asyncio
async def test_moto_api_is_422_when_the_account_does_not_allow_it(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    account = await create_account(db_session, allow_moto=True)

    response = await post(connector_client, account, body(return_url=..., authorisation_mode="moto_api"))

    assert response.status_code == 422
    assert response.json() == error(
        "AUTHORISATION_API_NOT_ALLOWED",
        f"Using authorisation_mode of moto_api is not allowed for this account [{account.id}]",
    )
    await assert_nothing_written(db_session)


@pytest.mark.asyncio
async def test_a_zero_amount_is_422_unless_the_account_allows_it(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    refusing = await create_account(db_session)
    allowing = await create_account(db_session, allow_zero_amount=True)

    refused = await post(connector_client, refusing, body(amount=0))
    await assert_nothing_written(db_session)
    accepted = await post(connector_client, allowing, body(amount=0))

    assert refused.status_code == 422
    assert refused.json() == error(
        "ZERO_AMOUNT_NOT_ALLOWED", "Zero amount charges are not enabled for this gateway account"
    )
    assert accepted.status_code == 201
    assert accepted.json()["amount"] == 0


@pytest.mark.asyncio
async def test_stripe_accounts_refuse_payments_under_30_pence(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    account = await create_account(db_session, payment_provider="stripe", allow_zero_amount=True)

    too_small = await post(connector_client, account, body(amount=29))
    await assert_nothing_written(db_session)
    smallest = await post(connector_client, account, body(amount=30))

    assert too_small.status_code == 422
    assert too_small.json() == error(
        "AMOUNT_BELOW_MINIMUM", "Payments under 30 pence are not allowed for Stripe accounts"
    )
    assert smallest.status_code == 201


AGREEMENT_ID = "a" * 26
RECURRING_OFF = error(
    "RECURRING_CARD_PAYMENTS_NOT_ALLOWED", "Recurring payment agreements are not enabled on this account"
)


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("account_fields", "changes", "status", "expected"),
    [
        (
            {},
            {"authorisation_mode": "agreement", "return_url": ..., "agreement_id": AGREEMENT_ID},
            422,
            RECURRING_OFF,
        ),
        (
            {"recurring_enabled": True},
            {"authorisation_mode": "agreement", "return_url": ...},
            422,
            error("MISSING_MANDATORY_ATTRIBUTE", "Missing mandatory attribute: agreement_id"),
        ),
        (
            {"recurring_enabled": True},
            {
                "authorisation_mode": "agreement",
                "return_url": ...,
                "agreement_id": AGREEMENT_ID,
                "save_payment_instrument_to_agreement": True,
            },
            400,
            error(
                "INCORRECT_AUTHORISATION_MODE_FOR_SAVE_PAYMENT_INSTRUMENT_TO_AGREEMENT",
                "If [save_payment_instrument_to_agreement] is true, [authorisation_mode] must be [web]",
            ),
        ),
        (
            {"recurring_enabled": True, "allow_moto": True},
            {
                "authorisation_mode": "agreement",
                "return_url": ...,
                "agreement_id": AGREEMENT_ID,
                "moto": True,
            },
            422,
            error("UNEXPECTED_ATTRIBUTE", "Unexpected attribute: moto"),
        ),
        (
            {"recurring_enabled": True},
            {
                "authorisation_mode": "agreement",
                "return_url": ...,
                "agreement_id": AGREEMENT_ID,
                "email": "a@b.com",
            },
            422,
            error("UNEXPECTED_ATTRIBUTE", "Unexpected attribute: email"),
        ),
        (
            {"recurring_enabled": True},
            {
                "authorisation_mode": "agreement",
                "return_url": ...,
                "agreement_id": AGREEMENT_ID,
                "prefilled_cardholder_details": {"cardholder_name": "J"},
            },
            422,
            error("UNEXPECTED_ATTRIBUTE", "Unexpected attribute: prefilled_cardholder_details"),
        ),
        (
            {},
            {"agreement_id": AGREEMENT_ID},
            422,
            error("UNEXPECTED_ATTRIBUTE", "Unexpected attribute: agreement_id"),
        ),
        (
            {},
            {"save_payment_instrument_to_agreement": True},
            400,
            error(
                "GENERIC",
                "If [save_payment_instrument_to_agreement] is true, [agreement_id] must be specified",
            ),
        ),
        (
            {},
            {"agreement_id": AGREEMENT_ID, "save_payment_instrument_to_agreement": True},
            422,
            RECURRING_OFF,
        ),
        (
            {},
            {"agreement_payment_type": "instalment"},
            422,
            error("UNEXPECTED_ATTRIBUTE", "Unexpected attribute: agreement_payment_type"),
        ),
        (
            {"allow_authorisation_api": True},
            {"authorisation_mode": "moto_api", "return_url": ..., "agreement_id": AGREEMENT_ID},
            422,
            error("UNEXPECTED_ATTRIBUTE", "Unexpected attribute: agreement_id"),
        ),
        (
            {"allow_authorisation_api": True},
            {
                "authorisation_mode": "moto_api",
                "return_url": ...,
                "save_payment_instrument_to_agreement": True,
            },
            400,
            error(
                "INCORRECT_AUTHORISATION_MODE_FOR_SAVE_PAYMENT_INSTRUMENT_TO_AGREEMENT",
                "If [save_payment_instrument_to_agreement] is true, [authorisation_mode] must be [web]",
            ),
        ),
        (
            {"recurring_enabled": True},
            {"agreement_id": AGREEMENT_ID, "save_payment_instrument_to_agreement": True},
            400,
            error("AGREEMENT_NOT_FOUND", f"Agreement with ID [{AGREEMENT_ID}] not found."),
        ),
    ],
)
async def test_agreement_options_by_mode(
    connector_client: httpx.AsyncClient,
    db_session: AsyncSession,
    account_fields: dict[str, Any],
    changes: dict[str, Any],
    status: int,
    expected: dict[str, Any],
) -> None:
    account = await create_account(db_session, **account_fields)

    response = await post(connector_client, account, body(**changes))

    assert response.status_code == status
    assert response.json() == expected
    await assert_nothing_written(db_session)


# --- 201: what is answered and stored --------------------------------------------------------------

ISO_MS = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


@pytest.mark.asyncio
async def test_a_minimal_charge_is_created(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    account = await create_account(db_session)

    response = await post(connector_client, account, body())

    assert response.status_code == 201
    created = response.json()
    charge_id = created["charge_id"]
    assert re.fullmatch(r"[0-9a-v]{26}", charge_id)
    self_url = f"http://connector.test/v1/api/accounts/{account.id}/charges/{charge_id}"
    assert response.headers["Location"] == self_url
    token = created["links"][2]["href"].rsplit("/", 1)[1]
    assert UUID.match(token)
    assert ISO_MS.match(created.pop("created_date"))
    assert created == {
        "charge_id": charge_id,
        "gateway_account_id": str(account.id),  # seeds 000/001
        "amount": 1000,
        "state": {"status": "created", "finished": False},
        "description": "A licence",
        "reference": "REF-1",
        "language": "en",
        "return_url": RETURN_URL,
        "payment_provider": "sandbox",
        "delayed_capture": False,
        "moto": False,
        "authorisation_mode": "web",
        "refund_summary": {
            "status": "pending",
            "user_external_id": None,
            "amount_available": 1000,
            "amount_submitted": 0,
        },
        "settlement_summary": {"capture_submit_time": None, "captured_date": None},
        "links": [
            {"rel": "self", "method": "GET", "href": self_url},
            {"rel": "refunds", "method": "GET", "href": f"{self_url}/refunds"},
            {"rel": "next_url", "method": "GET", "href": f"http://frontend.test/secure/{token}"},
            {
                "rel": "next_url_post",
                "method": "POST",
                "href": "http://frontend.test/secure",
                "type": "application/x-www-form-urlencoded",
                "params": {"chargeTokenId": token},
            },
        ],
    }


@pytest.mark.asyncio
async def test_a_created_charge_is_stored_as_created_with_its_event_and_one_token(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    account = await create_account(db_session)

    created = (await post(connector_client, account, body())).json()

    charge = await db_session.scalar(select(Charge).where(Charge.external_id == created["charge_id"]))
    assert charge is not None
    assert (charge.status, charge.amount, charge.gateway_account_id) == ("CREATED", 1000, account.id)
    assert (charge.payment_provider, charge.service_id, charge.authorisation_mode) == (
        "sandbox",
        account.service_id,
        "WEB",
    )
    events = (await db_session.scalars(select(ChargeEvent).where(ChargeEvent.charge_id == charge.id))).all()
    assert [(e.status, e.event_name) for e in events] == [("CREATED", "PAYMENT_CREATED")]
    tokens = (await db_session.scalars(select(Token).where(Token.charge_id == charge.id))).all()
    assert len(tokens) == 1
    assert tokens[0].secure_redirect_token == created["links"][3]["params"]["chargeTokenId"]
    assert tokens[0].used is False
    assert tokens[0].created_date == charge.created_date


@pytest.mark.asyncio
async def test_every_optional_field_is_stored_and_answered(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    account = await create_account(db_session, allow_moto=True)
    payload = body(
        email="joe.bloggs@example.org",
        language="cy",
        delayed_capture=True,
        moto=True,
        source="CARD_PAYMENT_LINK",
        metadata={
            "ledger_code": 123,
            "fund_code": "ISIN122038",
            "cancellable": False,
            "ratio": 1.5,
            "blank": "",
        },
        prefilled_cardholder_details={
            "cardholder_name": "J. Bloggs",
            "billing_address": {
                "line1": "address line 1",
                "line2": "address line 2",
                "postcode": "AB1 CD2",
                "city": "address city",
                "county": "a county",
                "country": "GB",
            },
        },
        an_unknown_member="ignored",
    )

    response = await post(connector_client, account, payload)

    assert response.status_code == 201
    created = response.json()
    assert created["email"] == "joe.bloggs@example.org"
    assert created["language"] == "cy"
    assert created["delayed_capture"] is True
    assert created["moto"] is True
    assert created["metadata"] == payload["metadata"]
    assert created["card_details"] == {
        "cardholder_name": "J. Bloggs",
        "billing_address": {
            "line1": "address line 1",
            "line2": "address line 2",
            "postcode": "AB1 CD2",
            "city": "address city",
            "county": "a county",
            "country": "GB",
        },
    }
    charge = await db_session.scalar(select(Charge).where(Charge.external_id == created["charge_id"]))
    assert charge is not None
    assert (charge.source, charge.email, charge.language, charge.moto) == (
        "CARD_PAYMENT_LINK",
        "joe.bloggs@example.org",
        "cy",
        True,
    )
    assert (charge.cardholder_name, charge.address_city, charge.address_country) == (
        "J. Bloggs",
        "address city",
        "GB",
    )
    assert charge.external_metadata == payload["metadata"]


@pytest.mark.asyncio
async def test_blank_values_count_as_absent_and_a_long_country_is_dropped(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    account = await create_account(db_session)
    payload = body(
        email="  ",
        source="",
        prefilled_cardholder_details={"billing_address": {"line1": "1 Street", "country": "GBR"}},
    )

    created = (await post(connector_client, account, payload)).json()

    assert "email" not in created
    assert created["card_details"] == {"billing_address": {"line1": "1 Street"}}
    charge = await db_session.scalar(select(Charge).where(Charge.external_id == created["charge_id"]))
    assert charge is not None
    assert (charge.email, charge.source, charge.address_country) == (None, None, None)


@pytest.mark.asyncio
async def test_a_moto_api_charge_gets_an_auth_url_instead_of_a_next_url(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    account = await create_account(db_session, allow_authorisation_api=True)

    response = await post(connector_client, account, body(return_url=..., authorisation_mode="moto_api"))

    assert response.status_code == 201
    created = response.json()
    assert (created["moto"], created["authorisation_mode"]) == (True, "moto_api")
    assert "return_url" not in created
    assert [link["rel"] for link in created["links"]] == ["self", "refunds", "auth_url_post"]
    auth = created["links"][2]
    token = auth["params"]["one_time_token"]
    assert auth == {
        "rel": "auth_url_post",
        "method": "POST",
        "href": "http://connector.test/v1/api/charges/authorise",
        "type": "application/json",
        "params": {"one_time_token": token},
    }
    assert await db_session.scalar(select(Token.used).where(Token.secure_redirect_token == token)) is False


# --- by service and account type ---------------------------------------------------------------------


@pytest.mark.asyncio
async def test_a_charge_can_be_created_by_service_and_account_type(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    account = await create_account(db_session, type="LIVE")

    response = await connector_client.post(
        f"/v1/api/service/{account.service_id}/account/live/charges", json=body()
    )

    assert response.status_code == 201
    charge_id = response.json()["charge_id"]
    self_url = f"http://connector.test/v1/api/accounts/{account.id}/charges/{charge_id}"
    assert response.headers["Location"] == self_url
    assert response.json()["links"][0]["href"] == self_url


@pytest.mark.asyncio
async def test_creating_for_a_service_without_that_account_type_is_404(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    account = await create_account(db_session, type="TEST")

    response = await connector_client.post(
        f"/v1/api/service/{account.service_id}/account/live/charges", json=body()
    )

    assert response.status_code == 404
    assert response.json() == error(
        "GENERIC", f"Gateway account not found for service ID [{account.service_id}] and account type [live]"
    )
    await assert_nothing_written(db_session)


class TestCardNumberInPaymentLinkReference:
    """connector.md §4.2 step 8: a payment-link reference that is a card number is refused."""

    @pytest.mark.asyncio
    @pytest.mark.parametrize("reference", ["4242 4242 4242 4242", "4000-0000-0000-0002", "5105105105105100"])
    async def test_a_card_number_typed_as_a_payment_link_reference_is_refused(
        self, connector_client: httpx.AsyncClient, db_session: AsyncSession, reference: str
    ) -> None:
        account = await create_account(db_session)

        response = await connector_client.post(
            f"/v1/api/accounts/{account.id}/charges",
            json={
                "amount": 100,
                "reference": reference,
                "description": "a description",
                "return_url": "https://gov.uk",
                "source": "CARD_PAYMENT_LINK",
            },
        )

        assert response.status_code == 400
        assert response.json() == {
            "error_identifier": "CARD_NUMBER_IN_PAYMENT_LINK_REFERENCE_REJECTED",
            "message": ["Card number entered in a payment link reference"],
        }
        assert (await db_session.scalar(select(func.count()).select_from(Charge))) == 0

    @pytest.mark.asyncio
    @pytest.mark.parametrize(
        ("reference", "source"),
        [
            ("4242 4242 4242 4242", "CARD_API"),  # the service chose the reference, not the payer
            ("4242 4242 4242 4241", "CARD_PAYMENT_LINK"),  # fails the Luhn check
            ("1234 5678 9012 3452", "CARD_PAYMENT_LINK"),  # Luhn-valid, but no card range starts with 1
            ("INV-2024-000123", "CARD_PAYMENT_LINK"),
        ],
    )
    async def test_other_references_are_accepted(
        self, connector_client: httpx.AsyncClient, db_session: AsyncSession, reference: str, source: str
    ) -> None:
        account = await create_account(db_session)

        response = await connector_client.post(
            f"/v1/api/accounts/{account.id}/charges",
            json={
                "amount": 100,
                "reference": reference,
                "description": "a description",
                "return_url": "https://gov.uk",
                "source": source,
            },
        )

        assert response.status_code == 201, response.text
