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
"""

from __future__ import annotations

import socket
import sys
from typing import Any

from aiohttp import web
from localstripe import resources, server

_INTENT_EXTRAS = ("description", "on_behalf_of", "transfer_group", "return_url")
_original_init = resources.PaymentIntent.__init__
_original_confirm = resources.PaymentIntent._confirm
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


resources.PaymentIntent.__init__ = _init
resources.PaymentIntent._confirm = _confirm


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
