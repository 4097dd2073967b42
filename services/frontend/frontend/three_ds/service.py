"""3-D Secure (fact sheet B3): how to reach the issuer, and where connector's answer leads.

For the sandbox the payment pages serve a simulated issuer page themselves. It posts ``PaRes`` back
like a bank would; the value is one of two magic strings the sandbox gateway reads as pass or fail
(settings ``sandbox_3ds_pass_pa_response`` / ``sandbox_3ds_fail_pa_response``, see docs/decisions.md).
"""

from __future__ import annotations

from typing import Any

from frontend.connector_client import Charge, Reply

#: ePDQ's ``providerStatus`` → connector's ``auth_3ds_result``.
_PROVIDER_STATUS = {"success": "AUTHORISED", "declined": "DECLINED", "error": "ERROR"}


def issuer_step(charge: Charge) -> str:
    """Which 3ds_required_out case applies: ``sandbox``, ``post``, ``jwt``, ``html``, ``redirect`` or ``none``."""
    if charge.provider == "sandbox":
        return "sandbox"
    data = charge.auth_3ds_data
    if data is None:
        return "none"
    if data.issuer_url and data.pa_request:
        return "post"
    if data.worldpay_challenge_jwt:
        return "jwt"
    if data.html_out:
        return "html"
    if data.issuer_url:
        return "redirect"
    return "none"


def three_ds_payload(form: dict[str, str], *, sandbox_pass: str, sandbox_fail: str) -> dict[str, Any]:
    payload: dict[str, Any] = {}
    if form.get("PaRes"):
        payload["pa_response"] = form["PaRes"]
        # The sandbox's outcome also travels as auth_3ds_result, which connector reads for every provider.
        if form["PaRes"] == sandbox_pass:
            payload["auth_3ds_result"] = "AUTHORISED"
        elif form["PaRes"] == sandbox_fail:
            payload["auth_3ds_result"] = "DECLINED"
    if form.get("MD"):
        payload["md"] = form["MD"]
    if form.get("redirectResult"):
        payload["redirect_result"] = form["redirectResult"]
    provider_status = form.get("providerStatus")
    if provider_status in _PROVIDER_STATUS:
        payload["auth_3ds_result"] = _PROVIDER_STATUS[provider_status]
    return payload


def next_path_after_3ds(reply: Reply) -> str | None:
    """Card-details-relative path after ``POST .../3ds``; None means the system error page."""
    if reply.status_code in (200, 400):
        return "/3ds_required" if reply.charge_status == "AUTHORISATION 3DS REQUIRED" else "/confirm"
    if reply.status_code in (202, 409):
        return "/auth_waiting"
    return None
