"""The credential state machine, in the style of ``connector/charges/state.py``.

A gateway account credential is ``CREATED`` (no secrets yet), ``ENTERED`` (secrets stored, not
the account's current one), ``VERIFIED_WITH_LIVE_PAYMENT`` (a live test payment went through),
``ACTIVE`` (the one charges use) or ``RETIRED`` (replaced after a PSP switch). Nothing assigns
``GatewayAccountCredential.state`` except :func:`transition_credential`.
"""

from __future__ import annotations

from enum import StrEnum

from connector.models import GatewayAccountCredential
from pay_common.db.base import utc_now


class CredentialState(StrEnum):
    CREATED = "CREATED"
    ENTERED = "ENTERED"
    VERIFIED_WITH_LIVE_PAYMENT = "VERIFIED_WITH_LIVE_PAYMENT"
    ACTIVE = "ACTIVE"
    RETIRED = "RETIRED"


C = CredentialState

#: Every allowed move (connector.md §14.3; the switch to a new PSP ends ACTIVE → RETIRED).
TRANSITIONS: frozenset[tuple[CredentialState, CredentialState]] = frozenset(
    {
        (C.CREATED, C.ENTERED),
        (C.CREATED, C.ACTIVE),
        (C.ENTERED, C.VERIFIED_WITH_LIVE_PAYMENT),
        (C.ENTERED, C.ACTIVE),
        (C.VERIFIED_WITH_LIVE_PAYMENT, C.ACTIVE),
        (C.ACTIVE, C.RETIRED),
    }
)

#: States a charge may be taken with.
USABLE = frozenset({C.ENTERED, C.VERIFIED_WITH_LIVE_PAYMENT, C.ACTIVE})


class IllegalCredentialTransition(ValueError):
    def __init__(self, current: CredentialState, target: CredentialState) -> None:
        self.current = current
        self.target = target
        super().__init__(f"Credential state transition [{current}] -> [{target}] not allowed")


def is_allowed(current: CredentialState | str, target: CredentialState | str) -> bool:
    return (CredentialState(current), CredentialState(target)) in TRANSITIONS


def initial_state(*, has_secrets: bool, first: bool) -> CredentialState:
    """A new credential: CREATED without secrets, else ACTIVE when it is the account's first."""
    if not has_secrets:
        return C.CREATED
    return C.ACTIVE if first else C.ENTERED


def transition_credential(credential: GatewayAccountCredential, target: CredentialState) -> None:
    """Move ``credential`` to ``target`` (a no-op when already there); ACTIVE starts now."""
    if credential.state == target:
        return
    if not is_allowed(credential.state, target):
        raise IllegalCredentialTransition(CredentialState(credential.state), target)
    credential.state = target.value
    if target is C.ACTIVE:
        credential.active_start_date = utc_now()
