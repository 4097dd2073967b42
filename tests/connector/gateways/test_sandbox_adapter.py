"""The sandbox adapter and the registry, called directly (the HTTP journeys are in ../authorisation)."""

from __future__ import annotations

import pytest

from connector.gateways import registry
from connector.gateways.base import (
    AuthorisationRequest,
    AuthorisationStatus,
    CancelStatus,
    CaptureStatus,
    CardForAuthorisation,
    GatewayError,
    GatewayOperation,
    RefundRequest,
    RefundStatus,
    StoredInstrument,
    ThreeDsResult,
    UnsupportedGateway,
    UserNotPresentRequest,
)
from connector.gateways.credentials import SandboxCredentials
from connector.gateways.sandbox.adapter import AUTHORISED_CARDS, REJECTED_CARDS, SandboxGateway
from tests.connector.gateways.fakes import CountingGateway

SANDBOX = SandboxCredentials()


def _request(number: str) -> AuthorisationRequest:
    card = CardForAuthorisation(
        card_number=number, cvc="123", expiry_date="11/30", cardholder_name="A", card_brand="visa"
    )
    return AuthorisationRequest("c" * 26, "tx", 1000, "desc", card, SANDBOX)


def _operation() -> GatewayOperation:
    return GatewayOperation("c" * 26, "tx", 1000, SANDBOX, "connector:capture:" + "c" * 26)


def test_the_card_table_has_every_documented_number() -> None:
    # connector.md §6's 20 numbers, and our two dispute cards (disputed after capture).
    assert len(AUTHORISED_CARDS) == 22
    assert {"4000000000000259", "4000000000002685"} <= AUTHORISED_CARDS
    assert REJECTED_CARDS == {"4000000000000002", "4000000000000069", "4000000000000127"}


@pytest.mark.asyncio
@pytest.mark.parametrize("number", sorted(AUTHORISED_CARDS))
async def test_authorised(number: str) -> None:
    result = await SandboxGateway().authorise(_request(number))
    assert result.status == AuthorisationStatus.AUTHORISED
    assert result.gateway_transaction_id
    assert len(result.gateway_transaction_id) == 36
    assert result.recurring_token
    assert "token" in result.recurring_token


@pytest.mark.asyncio
@pytest.mark.parametrize("number", sorted(REJECTED_CARDS))
async def test_rejected(number: str) -> None:
    assert (await SandboxGateway().authorise(_request(number))).status == AuthorisationStatus.REJECTED


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("4000000000000119", "This transaction could be not be processed."),
        ("4242424242424241", "Unsupported card details."),
        ("42424242424242420", "Unsupported card details."),
    ],
)
async def test_errors(number: str, message: str) -> None:
    with pytest.raises(GatewayError) as raised:
        await SandboxGateway().authorise(_request(number))
    assert raised.value.message == message


@pytest.mark.asyncio
async def test_3ds_card_and_its_result() -> None:
    gateway = SandboxGateway()
    challenge = await gateway.authorise(_request("4000000000003220"))
    assert challenge.status == AuthorisationStatus.REQUIRES_3DS
    assert challenge.issuer_url_3ds
    assert challenge.pa_request_3ds
    passed = await gateway.authorise_3ds(ThreeDsResult("c" * 26, "tx", "success", SANDBOX))
    failed = await gateway.authorise_3ds(ThreeDsResult("c" * 26, "tx", "anything else", SANDBOX))
    assert passed.status == AuthorisationStatus.AUTHORISED
    assert failed.status == AuthorisationStatus.REJECTED


@pytest.mark.asyncio
async def test_capture_cancel_refund_always_succeed_and_query_reports_the_void() -> None:
    gateway = SandboxGateway()
    assert (await gateway.capture(_operation())).status == CaptureStatus.COMPLETE
    assert await gateway.cancel(_operation()) == CancelStatus.CANCELLED
    refund = await gateway.refund(RefundRequest("r" * 26, "c" * 26, "tx", 500, SANDBOX, "connector:refund:x"))
    assert refund.status == RefundStatus.COMPLETE
    assert refund.reference
    # Never authorised here, but voided: that is what the sandbox remembers.
    assert await gateway.query(_operation()) == AuthorisationStatus.CANCELLED
    assert await SandboxGateway().query(_operation()) is None


def test_card_details_never_appear_in_repr() -> None:
    assert "4242424242424242" not in repr(_request("4242424242424242"))


def test_registry_lookup_and_override() -> None:
    assert isinstance(registry.get_gateway("sandbox"), SandboxGateway)
    # Worldpay and Stripe have adapters now (issue 12); ePDQ is still unsupported.
    with pytest.raises(UnsupportedGateway) as raised:
        registry.get_gateway("epdq")
    assert raised.value.message == "Payment provider epdq is not supported."
    counting = CountingGateway()
    with registry.override("sandbox", counting):
        assert registry.get_gateway("sandbox") is counting
    assert isinstance(registry.get_gateway("sandbox"), SandboxGateway)
    with registry.override("epdq", counting):
        assert registry.get_gateway("epdq") is counting
    assert "epdq" not in registry.supported_providers()


def _stored(first: str, last: str, token: dict[str, str] | None = None) -> UserNotPresentRequest:
    return UserNotPresentRequest(
        charge_external_id="charge-unp",
        gateway_transaction_id="tx",
        amount=2046,
        description="Council tax",
        instrument=StoredInstrument(
            recurring_token={"token": "t-1"} if token is None else token,
            card_brand="visa",
            first_digits=first,
            last_digits=last,
            expiry_date="12/30",
            cardholder_name="Mr Payment",
        ),
        credentials=SandboxCredentials(),
    )


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("first", "last", "status", "reason"),
    [
        ("424242", "4242", AuthorisationStatus.AUTHORISED, None),
        ("400000", "3220", AuthorisationStatus.AUTHORISED, None),  # set up through 3DS
        ("510510", "5100", AuthorisationStatus.REJECTED, "DO_NOT_RETRY"),  # authorised at set-up only
        ("400000", "0002", AuthorisationStatus.REJECTED, "DO_NOT_RETRY"),
    ],
)
async def test_agreement_payments_match_the_first_6_and_last_4(
    first: str, last: str, status: AuthorisationStatus, reason: str | None
) -> None:
    result = await SandboxGateway().authorise_user_not_present(_stored(first, last))
    assert (result.status, result.rejection_reason) == (status, reason)


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("first", "last", "token", "message"),
    [
        ("400000", "0119", None, "This transaction could be not be processed."),
        ("123456", "7890", None, "Unsupported card details."),
        ("424242", "4242", {}, "Unsupported card details."),  # an instrument without its token
    ],
)
async def test_agreement_payment_errors(
    first: str, last: str, token: dict[str, str] | None, message: str
) -> None:
    with pytest.raises(GatewayError) as raised:
        await SandboxGateway().authorise_user_not_present(_stored(first, last, token))
    assert raised.value.message == message
