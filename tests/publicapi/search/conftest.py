"""Dispute search journeys: the payment pages drive sandbox payments to capture."""

from __future__ import annotations

# The payment pages' fixtures, for journeys that end in a dispute.
from tests.frontend.conftest import browser, frontend_app, new_browser, new_payment  # noqa: F401
