"""Payer emails: the payment pages drive payments, a local Notify takes the emails."""

from __future__ import annotations

# The payment pages' fixtures, for journeys that end in an email.
from tests.frontend.conftest import browser, frontend_app, new_browser, new_payment  # noqa: F401
