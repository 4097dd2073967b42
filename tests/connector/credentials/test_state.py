"""The credential transition table: a credential gets its secrets before it is verified or active."""

from __future__ import annotations

import pytest

from connector.credentials.state import CredentialState, transition_credential
from connector.models import GatewayAccountCredential
from connector.transitions import IllegalTransition


def test_a_credential_becomes_active_with_a_start_date_and_cannot_skip_entering_secrets() -> None:
    credential = GatewayAccountCredential(state=CredentialState.CREATED.value)
    with pytest.raises(IllegalTransition):
        transition_credential(credential, CredentialState.VERIFIED_WITH_LIVE_PAYMENT)
    assert credential.state == "CREATED"
    transition_credential(credential, CredentialState.ACTIVE)
    assert credential.state == "ACTIVE"
    assert credential.active_start_date is not None
    transition_credential(credential, CredentialState.ACTIVE)  # already there: nothing to do
    assert credential.state == "ACTIVE"
