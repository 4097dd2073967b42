"""The credential state machine, in the style of ``connector/charges/state.py``.

A gateway account credential is ``CREATED`` (no secrets yet), ``ENTERED`` (secrets stored, not
the account's current one), ``VERIFIED_WITH_LIVE_PAYMENT`` (a live test payment went through),
``ACTIVE`` (the one charges use) or ``RETIRED`` (replaced after a PSP switch). Nothing assigns
``GatewayAccountCredential.state`` except :func:`transition_credential`.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from connector.models import GatewayAccountCredential
from connector.transitions import TransitionTable
from pay_common.db.base import utc_now
from pay_common.ids import new_uuid_hex


class CredentialState(StrEnum):
    CREATED = "CREATED"
    ENTERED = "ENTERED"
    VERIFIED_WITH_LIVE_PAYMENT = "VERIFIED_WITH_LIVE_PAYMENT"
    ACTIVE = "ACTIVE"
    RETIRED = "RETIRED"


C = CredentialState

#: Every allowed move (connector.md §14.3; the switch to a new PSP ends ACTIVE → RETIRED).
TRANSITIONS = TransitionTable(
    "Credential",
    CredentialState,
    {
        C.CREATED: {C.ENTERED, C.ACTIVE},
        C.ENTERED: {C.VERIFIED_WITH_LIVE_PAYMENT, C.ACTIVE},
        C.VERIFIED_WITH_LIVE_PAYMENT: {C.ACTIVE},
        C.ACTIVE: {C.RETIRED},
    },
)

#: States a charge may be taken with.
USABLE = frozenset({C.ENTERED, C.VERIFIED_WITH_LIVE_PAYMENT, C.ACTIVE})


def entered_state(*, alone: bool) -> CredentialState:
    """Where a credential goes once its secrets are stored: ACTIVE when it is the account's only
    credential, ENTERED when the account has others."""
    return C.ACTIVE if alone else C.ENTERED


def initial_state(*, has_secrets: bool, first: bool) -> CredentialState:
    """A new credential: CREATED without secrets, else ACTIVE when it is the account's first."""
    return entered_state(alone=first) if has_secrets else C.CREATED


def new_credential(
    state: CredentialState, *, account_id: int, provider: str, secrets: dict[str, Any] | None
) -> GatewayAccountCredential:
    """A new credential row in its first state (an ACTIVE one starts now)."""
    return GatewayAccountCredential(
        external_id=new_uuid_hex(),
        gateway_account_id=account_id,
        payment_provider=provider,
        credentials=secrets or {},
        state=state.value,
        active_start_date=utc_now() if state is C.ACTIVE else None,
    )


def transition_credential(credential: GatewayAccountCredential, target: CredentialState) -> None:
    """Move ``credential`` to ``target`` (a no-op when already there); ACTIVE starts now."""
    if credential.state == target:
        return
    TRANSITIONS.check(credential.state, target)
    credential.state = target.value
    if target is C.ACTIVE:
        credential.active_start_date = utc_now()
