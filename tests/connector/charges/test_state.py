"""The charge state machine, checked against connector.md §1 and §2 written out independently here.

Every one of the 102 edges is taken through ``transition()`` on a real charge row and must
write its ``charge_events`` row; every self-edge and a sample of other missing edges must be
refused without touching the row; every status maps to its documented external state.
"""

from __future__ import annotations

import itertools

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from connector.charges.service import transition
from connector.charges.state import (
    TRANSITIONS,
    ChargeStatus,
    IllegalTransition,
    assert_transition,
    external_state,
)
from connector.models import Charge, ChargeEvent
from tests.factories import create_account, create_charge

# connector.md §2, one edge a line: "FROM -> TO : EVENT" ("none" for the READY steps).
EDGES_TEXT = """
UNDEFINED -> CREATED : PAYMENT_CREATED
UNDEFINED -> PAYMENT NOTIFICATION CREATED : PAYMENT_NOTIFICATION_CREATED
CREATED -> EXPIRED : PAYMENT_EXPIRED
CREATED -> ENTERING CARD DETAILS : PAYMENT_STARTED
CREATED -> SYSTEM CANCELLED : CANCELLED_BY_EXTERNAL_SERVICE
CREATED -> USER CANCELLED : CANCELLED_BY_USER
CREATED -> AUTHORISATION REJECTED : AUTHORISATION_REJECTED
CREATED -> AUTHORISATION READY : none
CREATED -> AUTHORISATION USER NOT PRESENT QUEUED : QUEUED_FOR_AUTHORISATION_WITH_USER_NOT_PRESENT
ENTERING CARD DETAILS -> EXPIRED : PAYMENT_EXPIRED
ENTERING CARD DETAILS -> AUTHORISATION READY : none
ENTERING CARD DETAILS -> AUTHORISATION ABORTED : AUTHORISATION_REJECTED
ENTERING CARD DETAILS -> USER CANCELLED : CANCELLED_BY_USER
ENTERING CARD DETAILS -> SYSTEM CANCELLED : CANCELLED_BY_EXTERNAL_SERVICE
AUTHORISATION READY -> EXPIRED : PAYMENT_EXPIRED
AUTHORISATION READY -> AUTHORISATION ABORTED : AUTHORISATION_REJECTED
AUTHORISATION READY -> AUTHORISATION SUCCESS : AUTHORISATION_SUCCEEDED
AUTHORISATION READY -> AUTHORISATION REJECTED : AUTHORISATION_REJECTED
AUTHORISATION READY -> AUTHORISATION ERROR : GATEWAY_ERROR_DURING_AUTHORISATION
AUTHORISATION READY -> AUTHORISATION TIMEOUT : GATEWAY_TIMEOUT_DURING_AUTHORISATION
AUTHORISATION READY -> AUTHORISATION UNEXPECTED ERROR : UNEXPECTED_GATEWAY_ERROR_DURING_AUTHORISATION
AUTHORISATION READY -> AUTHORISATION 3DS REQUIRED : GATEWAY_REQUIRES_3DS_AUTHORISATION
AUTHORISATION READY -> AUTHORISATION CANCELLED : AUTHORISATION_CANCELLED
AUTHORISATION READY -> AUTHORISATION SUBMITTED : GATEWAY_ERROR_DURING_AUTHORISATION
AUTHORISATION READY -> USER CANCELLED : CANCELLED_BY_USER
AUTHORISATION 3DS REQUIRED -> EXPIRED : PAYMENT_EXPIRED
AUTHORISATION 3DS REQUIRED -> AUTHORISATION 3DS READY : none
AUTHORISATION 3DS REQUIRED -> AUTHORISATION SUCCESS : AUTHORISATION_SUCCEEDED
AUTHORISATION 3DS REQUIRED -> AUTHORISATION REJECTED : AUTHORISATION_REJECTED
AUTHORISATION 3DS REQUIRED -> AUTHORISATION CANCELLED : AUTHORISATION_CANCELLED
AUTHORISATION 3DS REQUIRED -> EXPIRE CANCEL READY : none
AUTHORISATION 3DS REQUIRED -> USER CANCELLED : CANCELLED_BY_USER
AUTHORISATION 3DS REQUIRED -> USER CANCEL READY : none
AUTHORISATION 3DS REQUIRED -> SYSTEM CANCELLED : CANCELLED_BY_EXTERNAL_SERVICE
AUTHORISATION 3DS REQUIRED -> SYSTEM CANCEL READY : none
AUTHORISATION 3DS READY -> EXPIRED : PAYMENT_EXPIRED
AUTHORISATION 3DS READY -> AUTHORISATION SUCCESS : AUTHORISATION_SUCCEEDED
AUTHORISATION 3DS READY -> AUTHORISATION REJECTED : AUTHORISATION_REJECTED
AUTHORISATION 3DS READY -> AUTHORISATION 3DS REQUIRED : GATEWAY_REQUIRES_3DS_AUTHORISATION
AUTHORISATION 3DS READY -> AUTHORISATION ERROR : GATEWAY_ERROR_DURING_AUTHORISATION
AUTHORISATION 3DS READY -> EXPIRE CANCEL READY : none
AUTHORISATION 3DS READY -> SYSTEM CANCELLED : CANCELLED_BY_EXTERNAL_SERVICE
AUTHORISATION 3DS READY -> SYSTEM CANCEL READY : none
AUTHORISATION 3DS READY -> USER CANCELLED : CANCELLED_BY_USER
AUTHORISATION 3DS READY -> USER CANCEL READY : none
AUTHORISATION 3DS READY -> AUTHORISATION CANCELLED : AUTHORISATION_CANCELLED
AUTHORISATION SUBMITTED -> AUTHORISATION SUCCESS : AUTHORISATION_SUCCEEDED
AUTHORISATION SUBMITTED -> AUTHORISATION REJECTED : AUTHORISATION_REJECTED
AUTHORISATION SUBMITTED -> AUTHORISATION ERROR : GATEWAY_ERROR_DURING_AUTHORISATION
AUTHORISATION SUBMITTED -> AUTHORISATION 3DS REQUIRED : GATEWAY_REQUIRES_3DS_AUTHORISATION
PAYMENT NOTIFICATION CREATED -> CAPTURE SUBMITTED : CAPTURE_SUBMITTED
PAYMENT NOTIFICATION CREATED -> AUTHORISATION REJECTED : AUTHORISATION_REJECTED
PAYMENT NOTIFICATION CREATED -> AUTHORISATION ERROR : GATEWAY_ERROR_DURING_AUTHORISATION
PAYMENT NOTIFICATION CREATED -> AUTHORISATION CANCELLED : AUTHORISATION_CANCELLED
AUTHORISATION SUCCESS -> CAPTURE APPROVED : USER_APPROVED_FOR_CAPTURE
AUTHORISATION SUCCESS -> CAPTURE READY : none
AUTHORISATION SUCCESS -> CAPTURE QUEUED : QUEUED_FOR_CAPTURE
AUTHORISATION SUCCESS -> SYSTEM CANCEL READY : none
AUTHORISATION SUCCESS -> USER CANCEL READY : none
AUTHORISATION SUCCESS -> EXPIRE CANCEL READY : none
AUTHORISATION SUCCESS -> AWAITING CAPTURE REQUEST : USER_APPROVED_FOR_CAPTURE_AWAITING_SERVICE_APPROVAL
AWAITING CAPTURE REQUEST -> CAPTURE APPROVED : SERVICE_APPROVED_FOR_CAPTURE
AWAITING CAPTURE REQUEST -> SYSTEM CANCEL READY : none
AWAITING CAPTURE REQUEST -> EXPIRE CANCEL READY : none
AUTHORISATION USER NOT PRESENT QUEUED -> AUTHORISATION READY : none
CAPTURE QUEUED -> CAPTURE READY : none
CAPTURE QUEUED -> CAPTURE ERROR : CAPTURE_ERRORED
CAPTURE APPROVED -> CAPTURE READY : none
CAPTURE APPROVED -> CAPTURE ERROR : CAPTURE_ABANDONED_AFTER_TOO_MANY_RETRIES
CAPTURE APPROVED RETRY -> CAPTURE READY : none
CAPTURE APPROVED RETRY -> CAPTURE ERROR : CAPTURE_ABANDONED_AFTER_TOO_MANY_RETRIES
CAPTURE APPROVED RETRY -> CAPTURED : CAPTURE_CONFIRMED
CAPTURE READY -> CAPTURE SUBMITTED : CAPTURE_SUBMITTED
CAPTURE READY -> CAPTURE ERROR : CAPTURE_ERRORED
CAPTURE READY -> CAPTURE APPROVED RETRY : none
CAPTURE READY -> CAPTURED : CAPTURE_CONFIRMED
CAPTURE SUBMITTED -> CAPTURE ERROR : CAPTURE_ERRORED
CAPTURE SUBMITTED -> CAPTURED : CAPTURE_CONFIRMED
EXPIRE CANCEL READY -> EXPIRE CANCEL SUBMITTED : CANCEL_BY_EXPIRATION_SUBMITTED
EXPIRE CANCEL READY -> EXPIRE CANCEL FAILED : CANCEL_BY_EXPIRATION_FAILED
EXPIRE CANCEL READY -> EXPIRED : CANCELLED_BY_EXPIRATION
EXPIRE CANCEL SUBMITTED -> EXPIRE CANCEL FAILED : CANCEL_BY_EXPIRATION_FAILED
EXPIRE CANCEL SUBMITTED -> EXPIRED : CANCELLED_BY_EXPIRATION
SYSTEM CANCEL READY -> SYSTEM CANCEL SUBMITTED : CANCEL_BY_EXTERNAL_SERVICE_SUBMITTED
SYSTEM CANCEL READY -> SYSTEM CANCEL ERROR : CANCEL_BY_EXTERNAL_SERVICE_FAILED
SYSTEM CANCEL READY -> SYSTEM CANCELLED : CANCELLED_BY_EXTERNAL_SERVICE
SYSTEM CANCEL SUBMITTED -> SYSTEM CANCEL ERROR : CANCEL_BY_EXTERNAL_SERVICE_FAILED
SYSTEM CANCEL SUBMITTED -> SYSTEM CANCELLED : CANCELLED_BY_EXTERNAL_SERVICE
USER CANCEL READY -> USER CANCEL SUBMITTED : CANCEL_BY_USER_SUBMITTED
USER CANCEL READY -> USER CANCEL ERROR : CANCEL_BY_USER_FAILED
USER CANCEL READY -> USER CANCELLED : CANCELLED_BY_USER
USER CANCEL SUBMITTED -> USER CANCEL ERROR : CANCEL_BY_USER_FAILED
USER CANCEL SUBMITTED -> USER CANCELLED : CANCELLED_BY_USER
AUTHORISATION ERROR -> AUTHORISATION ERROR CANCELLED : CANCELLED_WITH_GATEWAY_AFTER_AUTHORISATION_ERROR
AUTHORISATION ERROR -> AUTHORISATION ERROR REJECTED : AUTHORISATION_ERROR_CHECKED_WITH_GATEWAY_CHARGE_WAS_REJECTED
AUTHORISATION ERROR -> AUTHORISATION ERROR CHARGE MISSING : AUTHORISATION_ERROR_CHECKED_WITH_GATEWAY_CHARGE_WAS_MISSING
AUTHORISATION UNEXPECTED ERROR -> AUTHORISATION ERROR CANCELLED : CANCELLED_WITH_GATEWAY_AFTER_AUTHORISATION_ERROR
AUTHORISATION UNEXPECTED ERROR -> AUTHORISATION ERROR REJECTED : AUTHORISATION_ERROR_CHECKED_WITH_GATEWAY_CHARGE_WAS_REJECTED
AUTHORISATION UNEXPECTED ERROR -> AUTHORISATION ERROR CHARGE MISSING : AUTHORISATION_ERROR_CHECKED_WITH_GATEWAY_CHARGE_WAS_MISSING
AUTHORISATION TIMEOUT -> AUTHORISATION ERROR CANCELLED : CANCELLED_WITH_GATEWAY_AFTER_AUTHORISATION_ERROR
AUTHORISATION TIMEOUT -> AUTHORISATION ERROR REJECTED : AUTHORISATION_ERROR_CHECKED_WITH_GATEWAY_CHARGE_WAS_REJECTED
AUTHORISATION TIMEOUT -> AUTHORISATION ERROR CHARGE MISSING : AUTHORISATION_ERROR_CHECKED_WITH_GATEWAY_CHARGE_WAS_MISSING
"""


def _parse_edges() -> list[tuple[str, str, str | None]]:
    edges = []
    for line in EDGES_TEXT.strip().splitlines():
        pair, event = line.split(" : ")
        source, target = pair.split(" -> ")
        edges.append((source, target, None if event == "none" else event))
    return edges


EXPECTED_EDGES = _parse_edges()

# connector.md §1: internal status -> (state.status, finished, code).
EXPECTED_EXTERNAL = {
    "UNDEFINED": ("created", False, None),
    "CREATED": ("created", False, None),
    "PAYMENT NOTIFICATION CREATED": ("created", False, None),
    "ENTERING CARD DETAILS": ("started", False, None),
    "AUTHORISATION ABORTED": ("failed", True, "P0010"),
    "AUTHORISATION READY": ("started", False, None),
    "AUTHORISATION 3DS REQUIRED": ("started", False, None),
    "AUTHORISATION 3DS READY": ("started", False, None),
    "AUTHORISATION SUBMITTED": ("error", True, "P0050"),
    "AUTHORISATION SUCCESS": ("submitted", False, None),
    "AUTHORISATION REJECTED": ("failed", True, "P0010"),
    "AUTHORISATION CANCELLED": ("failed", True, "P0010"),
    "AUTHORISATION ERROR": ("error", True, "P0050"),
    "AUTHORISATION TIMEOUT": ("error", True, "P0050"),
    "AUTHORISATION UNEXPECTED ERROR": ("error", True, "P0050"),
    "AWAITING CAPTURE REQUEST": ("capturable", False, None),
    "CAPTURE APPROVED": ("success", True, None),
    "CAPTURE APPROVED RETRY": ("success", True, None),
    "CAPTURE READY": ("success", True, None),
    "CAPTURED": ("success", True, None),
    "CAPTURE SUBMITTED": ("success", True, None),
    "CAPTURE ERROR": ("error", True, "P0050"),
    "CAPTURE QUEUED": ("success", True, None),
    "AUTHORISATION USER NOT PRESENT QUEUED": ("started", False, None),
    "EXPIRE CANCEL READY": ("failed", True, "P0020"),
    "EXPIRE CANCEL FAILED": ("failed", True, "P0020"),
    "EXPIRE CANCEL SUBMITTED": ("failed", True, "P0020"),
    "EXPIRED": ("failed", True, "P0020"),
    "SYSTEM CANCEL READY": ("cancelled", True, "P0040"),
    "SYSTEM CANCEL ERROR": ("cancelled", True, "P0040"),
    "SYSTEM CANCEL SUBMITTED": ("cancelled", True, "P0040"),
    "SYSTEM CANCELLED": ("cancelled", True, "P0040"),
    "USER CANCEL READY": ("failed", True, "P0030"),
    "USER CANCEL SUBMITTED": ("failed", True, "P0030"),
    "USER CANCELLED": ("failed", True, "P0030"),
    "USER CANCEL ERROR": ("failed", True, "P0030"),
    "AUTHORISATION ERROR CANCELLED": ("error", True, "P0050"),
    "AUTHORISATION ERROR REJECTED": ("error", True, "P0050"),
    "AUTHORISATION ERROR CHARGE MISSING": ("error", True, "P0050"),
}

EXPECTED_MESSAGES = {
    "P0010": "Payment method rejected",
    "P0020": "Payment expired",
    "P0030": "Payment was cancelled by the user",
    "P0040": "Payment was cancelled by the service",
    "P0050": "Payment provider returned an error",
}

ALLOWED = {(source, target) for source, target, _ in EXPECTED_EDGES}

#: Moves people expect but the graph forbids (connector.md §2 and §17), plus obvious nonsense.
SAMPLE_DISALLOWED = [
    ("AUTHORISATION READY", "SYSTEM CANCELLED"),
    ("AWAITING CAPTURE REQUEST", "USER CANCEL READY"),
    ("AWAITING CAPTURE REQUEST", "USER CANCELLED"),
    ("AUTHORISATION SUCCESS", "CAPTURED"),
    ("CREATED", "CAPTURED"),
    ("CAPTURED", "CREATED"),
    ("CAPTURED", "USER CANCELLED"),
    ("EXPIRED", "ENTERING CARD DETAILS"),
    ("USER CANCELLED", "AUTHORISATION READY"),
    ("SYSTEM CANCELLED", "CREATED"),
    ("UNDEFINED", "ENTERING CARD DETAILS"),
    ("AUTHORISATION REJECTED", "AUTHORISATION SUCCESS"),
    ("CAPTURE ERROR", "CAPTURED"),
    ("ENTERING CARD DETAILS", "CREATED"),
]


def test_the_table_has_exactly_the_102_documented_edges_with_their_events() -> None:
    assert len(EXPECTED_EDGES) == 102
    in_code = {(str(source), str(target)): event for source, target, event in TRANSITIONS}
    assert len(TRANSITIONS) == 102
    assert in_code == {(source, target): event for source, target, event in EXPECTED_EDGES}


def test_every_missing_edge_is_refused_by_the_pure_check() -> None:
    statuses = [status.value for status in ChargeStatus]
    for source, target in itertools.product(statuses, statuses):
        if (source, target) in ALLOWED:
            continue
        with pytest.raises(IllegalTransition):
            assert_transition(source, target)


@pytest.mark.parametrize("status", [status.value for status in ChargeStatus])
def test_external_state_of_every_status(status: str) -> None:
    expected_status, finished, code = EXPECTED_EXTERNAL[status]
    state = external_state(status)
    assert (state.status, state.finished, state.code) == (expected_status, finished, code)
    assert state.message == (EXPECTED_MESSAGES[code] if code else None)


def test_every_status_has_an_external_state() -> None:
    assert {status.value for status in ChargeStatus} == set(EXPECTED_EXTERNAL)


async def _events(session: AsyncSession, charge_id: int) -> list[ChargeEvent]:
    rows = await session.scalars(
        select(ChargeEvent).where(ChargeEvent.charge_id == charge_id).order_by(ChargeEvent.id)
    )
    return list(rows.all())


SOURCES = sorted({source for source, _, _ in EXPECTED_EDGES})


@pytest.mark.asyncio
@pytest.mark.parametrize("source", SOURCES)
async def test_every_allowed_edge_moves_the_charge_and_records_the_event(
    db_session: AsyncSession, source: str
) -> None:
    account = await create_account(db_session)
    edges = [(target, event) for s, target, event in EXPECTED_EDGES if s == source]
    for target, event in edges:
        charge = await create_charge(db_session, account, status=ChargeStatus(source))

        returned = await transition(db_session, charge, ChargeStatus(target))
        await db_session.commit()

        assert returned == event, target
        stored = await db_session.scalar(select(Charge.status).where(Charge.id == charge.id))
        assert stored == target
        last = (await _events(db_session, charge.id))[-1]
        assert (last.status, last.event_name) == (target, event)


def test_the_per_source_runs_cover_all_102_edges() -> None:
    assert sum(1 for source in SOURCES for s, _, _ in EXPECTED_EDGES if s == source) == 102


SELF_EDGES = [(status.value, status.value) for status in ChargeStatus]


@pytest.mark.asyncio
@pytest.mark.parametrize("moves", [SELF_EDGES, SAMPLE_DISALLOWED], ids=["self-edges", "sample-missing-edges"])
async def test_self_edges_and_missing_edges_are_refused_and_write_nothing(
    db_session: AsyncSession, moves: list[tuple[str, str]]
) -> None:
    account = await create_account(db_session)
    for source, target in moves:
        charge = await create_charge(db_session, account, status=ChargeStatus(source))
        before = len(await _events(db_session, charge.id))

        with pytest.raises(IllegalTransition) as refused:
            await transition(db_session, charge, ChargeStatus(target))

        assert str(refused.value) == f"Charge state transition [{source}] -> [{target}] not allowed"
        stored = await db_session.scalar(select(Charge.status).where(Charge.id == charge.id))
        assert stored == source, (source, target)
        assert len(await _events(db_session, charge.id)) == before


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("target", "event"),
    [
        ("CAPTURED", "STATUS_CORRECTED_TO_CAPTURED_TO_MATCH_GATEWAY_STATUS"),
        ("AUTHORISATION REJECTED", "STATUS_CORRECTED_TO_AUTHORISATION_REJECTED_TO_MATCH_GATEWAY_STATUS"),
        ("AUTHORISATION ERROR", "STATUS_CORRECTED_TO_AUTHORISATION_ERROR_TO_MATCH_GATEWAY_STATUS"),
        ("USER CANCELLED", "STATUS_CORRECTED_TO_USER_CANCELLED_TO_MATCH_GATEWAY_STATUS"),
        ("SYSTEM CANCELLED", "STATUS_CORRECTED_TO_SYSTEM_CANCELLED_TO_MATCH_GATEWAY_STATUS"),
    ],
)
async def test_forced_transitions_skip_the_graph_with_their_correction_event(
    db_session: AsyncSession, target: str, event: str
) -> None:
    account = await create_account(db_session)
    charge = await create_charge(db_session, account, status=ChargeStatus.EXPIRED)

    assert await transition(db_session, charge, ChargeStatus(target), force=True) == event
    await db_session.commit()

    last = (await _events(db_session, charge.id))[-1]
    assert (last.status, last.event_name) == (target, event)


@pytest.mark.asyncio
async def test_forcing_any_other_target_is_refused(db_session: AsyncSession) -> None:
    account = await create_account(db_session)
    charge = await create_charge(db_session, account, status=ChargeStatus.CREATED)

    with pytest.raises(ValueError, match=r"Cannot force charge state transition to \[EXPIRED\]"):
        await transition(db_session, charge, ChargeStatus.EXPIRED, force=True)
