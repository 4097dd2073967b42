"""localstripe (a stateful fake Stripe server) on an inherited socket, with a few local shims.

Run as ``python -m tests.stubs.localstripe_server <fd>``. localstripe itself serves payment
methods, payment intents (manual capture, confirm, cancel, capture, its ``_authenticate`` 3DS
step), refunds and retrieval. What it lacks, and the shims below add, call by call:

1. ``POST /v1/payment_intents`` rejects ``description``, ``on_behalf_of``, ``transfer_group`` and
   ``return_url``: the shim accepts and keeps them on the intent.
2. A 3DS card's ``next_action`` is ``use_stripe_sdk``; with a ``return_url`` real Stripe answers
   ``redirect_to_url``: the shim rewrites it to a local issuer page (``/_config/shim/3ds/<id>``) that
   calls localstripe's ``_authenticate`` and sends the payer back to ``return_url``.
3. ``POST /v1/transfers`` does not exist: the shim records transfers (with the ``Stripe-Account``
   header they were sent with) and lists them at ``GET /_config/shim/transfers``.
4. ``Idempotency-Key`` is ignored: the shim replays the first answer to a repeated key and
   counts the mutating calls that carried one (``GET /_config/shim/idempotency``).
5. ``setup_future_usage`` is rejected: the shim accepts and keeps it (see 1), and attaches the intent's
   payment method to its customer once the intent is authorised, as Stripe does.
6. Off-session declines carry no ``decline_code``: an intent created with ``off_session=true`` whose
   amount is one of ``OFF_SESSION_DECLINES`` (10051 insufficient_funds, 10054 expired_card, 10043
   stolen_card, 10041 lost_card, 10005 do_not_honor, 10002 generic_decline, 10099 call_issuer) is left
   ``requires_payment_method`` and answered 402 ``card_error`` ``card_declined`` with that
   ``decline_code`` and the intent, as Stripe answers a declined off-session payment. An off-session
   intent is never challenged: ``4000002500003155`` (3DS at set-up only) is authorised, any other card
   localstripe would challenge is declined ``authentication_required``.
"""

from __future__ import annotations

import socket
import sys
from typing import Any

from aiohttp import web
from localstripe import resources, server
from localstripe.errors import UserError

_INTENT_EXTRAS = ("description", "on_behalf_of", "transfer_group", "return_url", "setup_future_usage")
#: Off-session intents of these amounts are declined with this ``decline_code`` (shim 6).
OFF_SESSION_DECLINES = {
    10051: "insufficient_funds",
    10054: "expired_card",
    10043: "stolen_card",
    10041: "lost_card",
    10005: "do_not_honor",
    10002: "generic_decline",
    10099: "call_issuer",
}
#: Needs 3DS when set up, never off session after (Stripe's 4000002500003155); other 3DS cards
#: are declined off session with ``authentication_required`` (shim 6).
SET_UP_ONLY_3DS_CARD = "4000002500003155"
_original_init = resources.PaymentIntent.__init__
_original_confirm = resources.PaymentIntent._confirm
_original_create_charge = resources.PaymentIntent._create_charge
_original_api_create = resources.PaymentIntent._api_create.__func__
_transfers: list[dict[str, Any]] = []
_idempotent: dict[tuple[str, str, str], tuple[int, bytes]] = {}
_keys_seen: list[dict[str, str]] = []
_base_url = ""


def _init(self: Any, **kwargs: Any) -> None:
    extras = {key: kwargs.pop(key) for key in _INTENT_EXTRAS if key in kwargs}
    _original_init(self, **kwargs)
    for key, value in extras.items():
        setattr(self, key, value)


def _confirm(self: Any, on_failure_now: Any) -> None:
    _original_confirm(self, on_failure_now)
    if self.next_action and getattr(self, "return_url", None):
        self.next_action = {
            "type": "redirect_to_url",
            "redirect_to_url": {
                "url": f"{_base_url}/_config/shim/3ds/{self.id}",
                "return_url": self.return_url,
            },
        }


def _create_charge(self: Any, on_failure_now: Any) -> None:
    _original_create_charge(self, on_failure_now)
    if (
        getattr(self, "setup_future_usage", None) == "off_session"
        and self.customer
        and self.latest_charge is not None
        and self.latest_charge.status == "succeeded"
    ):
        resources.PaymentMethod._api_retrieve(self.payment_method).customer = self.customer


def _off_session_decline(data: dict[str, Any]) -> tuple[str, str] | None:
    """The (code, decline_code) an off-session intent is declined with, if any (shim 6)."""
    try:
        decline = OFF_SESSION_DECLINES.get(int(str(data.get("amount"))))
    except ValueError:
        decline = None
    if decline is not None:
        return "card_declined", decline
    method = resources.PaymentMethod._api_retrieve(str(data.get("payment_method")))
    if method._requires_authentication() and method._card_number != SET_UP_ONLY_3DS_CARD:
        return "authentication_required", "authentication_required"
    return None


def _api_create(cls: Any, /, **data: Any) -> Any:
    if str(data.get("off_session", "")).lower() != "true" or not data.get("payment_method"):
        return _original_api_create(cls, **data)
    data.pop("off_session")
    data.pop("confirm", None)
    decline = _off_session_decline(data)
    intent = _original_api_create(cls, **data)
    if decline is None:
        # Authenticated at set-up (or never needing it): no challenge off session.
        intent._create_charge(on_failure_now=intent._report_failure)
        return intent
    intent.payment_method = None  # requires_payment_method, as after a real decline
    error = UserError(
        402,
        "Your card was declined.",
        {"code": decline[0], "decline_code": decline[1], "payment_intent": intent._export()},
    )
    error.body["error"]["type"] = "card_error"
    raise error


resources.PaymentIntent.__init__ = _init
resources.PaymentIntent._confirm = _confirm
resources.PaymentIntent._create_charge = _create_charge
resources.PaymentIntent._api_create = classmethod(_api_create)


@web.middleware
async def idempotency(request: web.Request, handler: Any) -> Any:
    key = request.headers.get("Idempotency-Key")
    if request.method != "POST" or not key or not request.path.startswith("/v1/"):
        return await handler(request)
    _keys_seen.append({"path": request.path, "key": key})
    cache_key = (request.method, request.path, key)
    if cache_key in _idempotent:
        status, body = _idempotent[cache_key]
        return web.Response(status=status, body=body, content_type="application/json")
    response = await handler(request)
    if isinstance(response, web.Response) and response.body is not None and response.status < 500:
        _idempotent[cache_key] = (response.status, bytes(response.body))  # type: ignore[arg-type]
    return response


async def create_transfer(request: web.Request) -> web.Response:
    data = dict(await request.post())
    transfer = {
        "id": f"tr_{len(_transfers) + 1:08d}",
        "object": "transfer",
        "amount": int(str(data.get("amount", "0"))),
        "currency": data.get("currency"),
        "destination": data.get("destination"),
        "transfer_group": data.get("transfer_group"),
        "stripe_account": request.headers.get("Stripe-Account"),
        "metadata": {k[9:-1]: v for k, v in data.items() if k.startswith("metadata[")},
    }
    _transfers.append(transfer)
    return web.json_response(transfer)


async def list_transfers(_request: web.Request) -> web.Response:
    return web.json_response(_transfers)


async def list_keys(_request: web.Request) -> web.Response:
    return web.json_response(_keys_seen)


async def issuer_page(request: web.Request) -> web.Response:
    intent_id = request.match_info["id"]
    intent = resources.PaymentIntent._api_retrieve(intent_id)
    if request.method == "POST":
        data = await request.post()
        resources.PaymentIntent._api_authenticate(
            intent_id, client_secret=intent.client_secret, success=data.get("result") == "pass"
        )
        raise web.HTTPSeeOther(intent.return_url)
    buttons = "".join(
        f'<form method="post"><input type="hidden" name="result" value="{value}">'
        f'<button type="submit">{label}</button></form>'
        for value, label in (("pass", "Complete authentication"), ("fail", "Fail authentication"))
    )
    return web.Response(
        text=f"<html><body><h1>Stripe test 3DS</h1>{buttons}</body></html>", content_type="text/html"
    )


async def ready(_request: web.Request) -> web.Response:
    return web.Response(text="ok")


def main() -> None:
    global _base_url
    import os

    _base_url = os.environ.get("STUB_BASE_URL", "")
    app = server.app
    app.middlewares.insert(0, idempotency)
    app.router.add_post("/v1/transfers", create_transfer)
    app.router.add_get("/_config/shim/transfers", list_transfers)
    app.router.add_get("/_config/shim/idempotency", list_keys)
    app.router.add_route("*", "/_config/shim/3ds/{id}", issuer_page)
    app.router.add_get("/_config/shim/ready", ready)
    sock = socket.socket(fileno=int(sys.argv[1]))
    web.run_app(app, sock=sock, print=None, access_log=None, handle_signals=True)


if __name__ == "__main__":
    main()
