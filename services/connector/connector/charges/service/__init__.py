"""Charge service: the one place a charge's status changes, charge creation and charge views.

Every status change in the codebase calls :func:`transition`, which checks the edge
against ``state.TRANSITIONS``, sets ``status`` and ``updated_date``, and appends a
``charge_events`` row in the same transaction. Callers hold the row lock
(``SELECT ... FOR UPDATE``) when two requests could race for the same charge.

Creation (:func:`create_charge`) runs the checks of connector.md §4.2 in order, before
anything is written. The one charge view (:func:`charge_view`, from a row) serves GET,
create (:func:`build_charge_response`) and search (:func:`charge_views`); the payment pages'
view (:func:`build_frontend_charge_response`) shares its members. :func:`refund_summary_of`
is the refund-availability calculator (§3.2).
"""

from connector.charges.service._create import (
    ChargeCreation,
    CreatedCharge,
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
    ChargeRow,
    build_charge_response,
    build_frontend_charge_response,
    charge_self_url,
    charge_view,
    charge_views,
    format_instant,
    issue_next_token,
    refund_summary_of,
    status_state,
    views_by_external_id,
)

__all__ = [
    "ChargeCreation",
    "CreatedCharge",
    "ChargeRow",
    "build_charge_response",
    "build_events_response",
    "build_frontend_charge_response",
    "charge_self_url",
    "charge_view",
    "charge_views",
    "check_return_url",
    "choose_credential",
    "create_charge",
    "create_charge_for_service",
    "create_charge_on_account",
    "format_instant",
    "get_charge",
    "get_charge_for_account",
    "get_charge_for_service",
    "issue_next_token",
    "refund_summary_of",
    "status_state",
    "views_by_external_id",
    "transition",
]
