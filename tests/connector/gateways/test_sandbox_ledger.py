"""The sandbox's own record of what it did: what query answers, replays, and the shared file."""

from __future__ import annotations

from pathlib import Path

import pytest

from connector.gateways.base import (
    AuthorisationRequest,
    AuthorisationStatus,
    CardForAuthorisation,
    GatewayOperation,
    RefundRequest,
)
from connector.gateways.credentials import SandboxCredentials
from connector.gateways.sandbox.adapter import SandboxGateway
from connector.gateways.sandbox.ledger import SandboxLedger, holdings, read

SANDBOX = SandboxCredentials()

CHARGE = "c" * 26


def _authorisation(number: str = "4242424242424242") -> AuthorisationRequest:
    card = CardForAuthorisation(
        card_number=number, cvc="123", expiry_date="11/30", cardholder_name="A", card_brand="visa"
    )
    return AuthorisationRequest(CHARGE, "tx", 1000, "desc", card, SANDBOX)


def _operation(kind: str) -> GatewayOperation:
    return GatewayOperation(CHARGE, "tx", 1000, SANDBOX, f"connector:{kind}:{CHARGE}")


def _refund(refund_id: str, amount: int) -> RefundRequest:
    return RefundRequest(refund_id, CHARGE, "tx", amount, SANDBOX, f"connector:refund:{refund_id}")


@pytest.mark.asyncio
async def test_query_answers_what_the_sandbox_did_with_the_authorisation() -> None:
    sandbox = SandboxGateway()
    assert await sandbox.query(_operation("query")) is None  # never seen
    await sandbox.authorise(_authorisation())
    assert await sandbox.query(_operation("query")) == AuthorisationStatus.AUTHORISED
    assert holdings(sandbox.ledger.entries).held == {CHARGE}
    await sandbox.cancel(_operation("cancel"))
    assert await sandbox.query(_operation("query")) == AuthorisationStatus.CANCELLED
    assert holdings(sandbox.ledger.entries).held == frozenset()


@pytest.mark.asyncio
async def test_a_declined_card_holds_nothing() -> None:
    sandbox = SandboxGateway()
    await sandbox.authorise(_authorisation("4000000000000002"))
    assert await sandbox.query(_operation("query")) == AuthorisationStatus.REJECTED
    assert holdings(sandbox.ledger.entries).held == frozenset()


@pytest.mark.asyncio
async def test_a_call_retried_with_its_idempotency_key_is_a_replay() -> None:
    sandbox = SandboxGateway()
    await sandbox.authorise(_authorisation())
    for _ in range(2):
        await sandbox.capture(_operation("capture"))
        await sandbox.refund(_refund("r1", 300))
    await sandbox.refund(_refund("r2", 200))
    seen = holdings(sandbox.ledger.entries)
    assert seen.captures[CHARGE] == 1
    assert seen.double_captures == frozenset()
    assert seen.refunded[CHARGE] == 500
    assert [e.replay for e in sandbox.ledger.entries if e.op == "capture"] == [False, True]


@pytest.mark.asyncio
async def test_the_file_is_shared_by_instances_and_survives_them(tmp_path: Path) -> None:
    path = tmp_path / "ledger.jsonl"
    first = SandboxGateway(SandboxLedger(path))
    await first.authorise(_authorisation())
    await first.capture(_operation("capture"))
    # Another process (or the same one restarted) sees what the first did.
    second = SandboxGateway(SandboxLedger(path))
    assert await second.query(_operation("query")) == AuthorisationStatus.AUTHORISED
    await second.capture(_operation("capture"))
    assert second.ledger.entries[-1].replay is True
    assert holdings(read(path)).captures[CHARGE] == 1
    assert len(read(path)) == 3
    assert read(tmp_path / "missing.jsonl") == []
