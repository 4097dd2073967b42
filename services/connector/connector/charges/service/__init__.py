"""Charge service: the one place a charge's status changes, charge creation and charge views.

Every status change in the codebase calls :func:`transition`, which checks the edge
against ``state.TRANSITIONS``, sets ``status`` and ``updated_date``, and appends a
``charge_events`` row in the same transaction. Callers hold the row lock
(``SELECT ... FOR UPDATE``) when two requests could race for the same charge.

Creation (:func:`create_charge`) runs the checks of connector.md §4.2 in order, before
anything is written. The views (:func:`build_charge_response` for the API,
:func:`build_frontend_charge_response` for the payment pages) are reused by search,
tokens and refunds; :func:`refund_summary` is the refund-availability calculator (§3.2).
"""

from connector.charges.service._create import (
    check_return_url,
    choose_credential,
    create_charge,
    create_charge_for_service,
    create_charge_on_account,
    get_charge,
    get_charge_for_account,
    get_charge_for_service,
)
from connector.charges.service._events import build_events_response
from connector.charges.service._transition import transition
from connector.charges.service._views import (
    build_charge_response,
    build_frontend_charge_response,
    card_details_view,
    charge_links,
    charge_self_url,
    format_instant,
    gateway_account_view,
    refund_availability,
    refund_summary,
    refund_summary_of,
    settlement_summary,
    state_view,
    status_state,
    total_amount,
)

__all__ = [
    "build_charge_response",
    "build_events_response",
    "build_frontend_charge_response",
    "card_details_view",
    "charge_links",
    "charge_self_url",
    "check_return_url",
    "choose_credential",
    "create_charge",
    "create_charge_for_service",
    "create_charge_on_account",
    "format_instant",
    "gateway_account_view",
    "get_charge",
    "get_charge_for_account",
    "get_charge_for_service",
    "refund_availability",
    "refund_summary",
    "refund_summary_of",
    "settlement_summary",
    "state_view",
    "status_state",
    "total_amount",
    "transition",
]
