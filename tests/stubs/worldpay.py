"""A local Worldpay stub speaking the XML order protocol (``paymentService`` over HTTP basic auth).

Shapes follow Worldpay's published ``paymentService_v1.dtd`` and order/notification documents:
``reply/orderStatus`` with ``payment/lastEvent`` AUTHORISED or REFUSED, ``requestInfo/request3DSecure``
(3DS1) and ``challengeRequired`` (3DS2) challenges, ``reply/error``, ``ok/captureReceived`` /
``cancelReceived`` / ``refundReceived`` acknowledgements and ``notify/orderStatusEvent``
notifications, which it can also send to a URL. Users come from ``WORLDPAY_STUB_USERS``
(``user:password:merchant_code,...``).

Magic card numbers: ``4000000000000002`` refused; ``4000000000003220`` 3DS1 challenge;
``4000000000003063`` 3DS2 challenge; ``4000000000000119`` error reply; ``4000000000000408``
answers after ``WORLDPAY_STUB_SLOW_SECONDS``; ``4000000000000500`` HTTP 500; any other
authorised. A card order with ``createToken`` (setting up an agreement) that is authorised is
answered with a ``token`` (a new ``paymentTokenID``) and ``payment/schemeResponse/transactionIdentifier``,
as is its 3DS answer when that authorises. Token orders (``paymentDetails/TOKEN-SSL``, merchant-initiated
recurring payments) must name a token the stub created and carry ``storedCredentials usage="USED"``
(error 7 otherwise); by amount: ``100NN`` pence (10001 to 10099) refused with ISO8583 return code
``NN`` (10005 do not honour, 10051 insufficient funds, 10054 expired card, 10043 stolen card...),
``10999`` an error reply, any other authorised; a token whose set-up card was ``4000000000000341``
(``REFUSE_LATER_CARD``, authorised at set-up) is always refused with code 5. Cardholder names ``xxe-internal``, ``xxe-external`` and ``billion-laughs`` get a
hostile reply. A 3DS answer ``stub-3ds-pass`` authorises, anything else refuses.
Test controls: ``GET /_stub/orders/<code>`` (its last event, modifications, inquiries),
``PUT /_stub/orders/<code>`` (move it as Worldpay would on its own), ``POST /_stub/notify``.
"""

from __future__ import annotations

import asyncio
import base64
import html
import os
import secrets
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from typing import Any

import defusedxml.ElementTree as SafeET
import httpx
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

DOCTYPE = (
    '<!DOCTYPE paymentService PUBLIC "-//WorldPay//DTD WorldPay PaymentService v1//EN" '
    '"http://dtd.worldpay.com/paymentService_v1.dtd">'
)
REFUSED_CARD = "4000000000000002"
THREE_DS1_CARD = "4000000000003220"
THREE_DS2_CARD = "4000000000003063"
ERROR_CARD = "4000000000000119"
SLOW_CARD = "4000000000000408"
HTTP_500_CARD = "4000000000000500"
REFUSE_LATER_CARD = "4000000000000341"
#: Token orders of 10000 + NN pence are refused with ISO8583 return code NN; this one errors.
TOKEN_REFUSAL_BASE = 10000
TOKEN_ERROR_AMOUNT = 10999
PASS_3DS = "stub-3ds-pass"
FAIL_3DS = "stub-3ds-fail"

HOSTILE_REPLIES = {
    "xxe-internal": '<!DOCTYPE paymentService [<!ENTITY e "injected">]>'
    '<paymentService version="1.4" merchantCode="M"><reply><error code="7">&e;</error></reply></paymentService>',
    "xxe-external": '<!DOCTYPE paymentService [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
    '<paymentService version="1.4" merchantCode="M"><reply><error code="7">&e;</error></reply></paymentService>',
    "billion-laughs": '<!DOCTYPE paymentService [<!ENTITY a "lol"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">'
    '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;">]>'
    '<paymentService version="1.4" merchantCode="M"><reply><error code="7">&d;</error></reply></paymentService>',
}


@dataclass
class Order:
    merchant_code: str
    username: str
    amount: int
    last_event: str
    three_ds: bool = False
    modifications: list[str] = field(default_factory=list)
    inquiries: int = 0
    #: A ``createToken`` order: authorising it creates a token.
    create_token: bool = False
    refuse_later: bool = False
    #: The token the order created (set-up) or was paid with (recurring), and its stored credentials.
    token_id: str | None = None
    stored_credentials: dict[str, str] = field(default_factory=dict)


@dataclass
class Token:
    merchant_code: str
    scheme_transaction_identifier: str
    refuse: bool


def _users() -> dict[str, tuple[str, str]]:
    users: dict[str, tuple[str, str]] = {}
    for entry in filter(None, os.environ.get("WORLDPAY_STUB_USERS", "").split(",")):
        username, password, merchant = entry.split(":")
        users[username] = (password, merchant)
    return users


def _document(merchant_code: str, body: str) -> str:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n{DOCTYPE}\n'
        f'<paymentService version="1.4" merchantCode="{html.escape(merchant_code)}">{body}</paymentService>'
    )


def _amount(pence: int) -> str:
    return f'<amount value="{pence}" currencyCode="GBP" exponent="2" debitCreditIndicator="credit"/>'


def _order_status(
    code: str,
    event: str,
    amount: int,
    *,
    refusal_code: int = 5,
    token_id: str | None = None,
    scheme_transaction_identifier: str | None = None,
) -> str:
    refusal = (
        f'<ISO8583ReturnCode code="{refusal_code}" description="REFUSED"/>' if event == "REFUSED" else ""
    )
    scheme = (
        "<schemeResponse><transactionIdentifier>"
        f"{html.escape(scheme_transaction_identifier)}</transactionIdentifier></schemeResponse>"
        if scheme_transaction_identifier and event == "AUTHORISED"
        else ""
    )
    token = (
        "<token><tokenEventReference>stub</tokenEventReference><tokenReason>stub</tokenReason>"
        f'<tokenDetails tokenEvent="NEW"><paymentTokenID>{html.escape(token_id)}</paymentTokenID>'
        '<paymentTokenExpiry><date dayOfMonth="31" month="12" year="2030"/></paymentTokenExpiry>'
        "</tokenDetails></token>"
        if token_id and event == "AUTHORISED"
        else ""
    )
    return (
        f'<reply><orderStatus orderCode="{html.escape(code)}"><payment><paymentMethod>VISA-SSL</paymentMethod>'
        f"{_amount(amount)}<lastEvent>{event}</lastEvent>{refusal}"
        f'<CVCResultCode description="NOT SENT TO ACQUIRER"/>{scheme}</payment>{token}</orderStatus></reply>'
    )


def _error(code: str, message: str, order_code: str | None = None) -> str:
    error = f'<error code="{code}"><![CDATA[{message}]]></error>'
    if order_code is None:
        return f"<reply>{error}</reply>"
    return f'<reply><orderStatus orderCode="{html.escape(order_code)}">{error}</orderStatus></reply>'


def notification(
    merchant_code: str, order_code: str, status: str, amount: int, refund_reference: str | None
) -> str:
    """An ``orderStatusEvent`` document as Worldpay posts it."""
    reference = (
        f'<journalReference type="capture" reference="{html.escape(refund_reference)}"/>'
        f'<journalReference type="refund_authorisation" reference="{html.escape(refund_reference)}"/>'
        if refund_reference
        else ""
    )
    return _document(
        merchant_code,
        f'<notify><orderStatusEvent orderCode="{html.escape(order_code)}"><payment>'
        f"<paymentMethod>VISA-SSL</paymentMethod>{_amount(amount)}<lastEvent>{status}</lastEvent></payment>"
        f'<journal journalType="{status}"><bookingDate><date dayOfMonth="01" month="12" year="2026"/>'
        f'</bookingDate><accountTx accountType="IN_PROCESS_CAPTURED" batchId="30">{_amount(amount)}</accountTx>'
        f"{reference}</journal></orderStatusEvent></notify>",
    )


def create_app() -> FastAPI:
    app = FastAPI()
    app.state.base_url = os.environ.get("STUB_BASE_URL", "")
    orders: dict[str, Order] = {}
    tokens: dict[str, Token] = {}
    users = _users()
    slow_seconds = float(os.environ.get("WORLDPAY_STUB_SLOW_SECONDS", "5"))

    def _authenticate(request: Request) -> tuple[str, str] | None:
        header = request.headers.get("authorization", "")
        if not header.startswith("Basic "):
            return None
        username, _, password = base64.b64decode(header[6:]).decode().partition(":")
        known = users.get(username)
        if known is None or known[0] != password:
            return None
        return username, known[1]

    def _submit(order: ET.Element, merchant: str, username: str) -> str:
        code = order.get("orderCode", "")
        three_ds = order.find("info3DSecure")
        if three_ds is not None:
            existing = orders.get(code)
            if existing is None:
                return _error("5", "Could not find payment for order", code)
            pa_response = order.findtext("info3DSecure/paResponse")
            passed = pa_response == PASS_3DS or three_ds.find("completedAuthentication") is not None
            existing.last_event = "AUTHORISED" if passed else "REFUSED"
            return _authorised_card_order(code, existing)
        amount = int(order.find("amount").get("value", "0"))  # type: ignore[union-attr]
        if order.find("paymentDetails/TOKEN-SSL") is not None:
            return _token_order(order, code, amount, merchant, username)
        number = order.findtext("paymentDetails/CARD-SSL/cardNumber") or ""
        holder = order.findtext("paymentDetails/CARD-SSL/cardHolderName") or ""
        if holder in HOSTILE_REPLIES:
            return "HOSTILE:" + holder
        if number == ERROR_CARD:
            return _error("7", "Invalid payment details : Card number : ****", code)
        create_token = order.find("createToken") is not None
        stored = order.find("paymentDetails/storedCredentials")
        stored_credentials = dict(stored.attrib) if stored is not None else {}
        if number == REFUSED_CARD:
            orders[code] = Order(merchant, username, amount, "REFUSED")
            return _order_status(code, "REFUSED", amount)
        if number in (THREE_DS1_CARD, THREE_DS2_CARD):
            orders[code] = Order(
                merchant,
                username,
                amount,
                "SENT_FOR_AUTHORISATION",
                three_ds=True,
                create_token=create_token,
                stored_credentials=stored_credentials,
            )
        if number == THREE_DS1_CARD:
            return (
                f'<reply><orderStatus orderCode="{html.escape(code)}"><requestInfo><request3DSecure>'
                f"<paRequest>stub-pa-request-{html.escape(code)}</paRequest>"
                f"<issuerURL><![CDATA[{app.state.base_url}/issuer]]></issuerURL>"
                "</request3DSecure></requestInfo><echoData>1</echoData></orderStatus></reply>"
            )
        if number == THREE_DS2_CARD:
            return (
                f'<reply><orderStatus orderCode="{html.escape(code)}"><challengeRequired><threeDSChallengeDetails>'
                "<threeDSVersion>2.1.0</threeDSVersion><transactionId3DS>stub-3ds2-tx</transactionId3DS>"
                f"<acsURL><![CDATA[{app.state.base_url}/issuer]]></acsURL><payload>stub-creq-{html.escape(code)}</payload>"
                "</threeDSChallengeDetails></challengeRequired></orderStatus></reply>"
            )
        orders[code] = Order(
            merchant,
            username,
            amount,
            "AUTHORISED",
            create_token=create_token,
            refuse_later=number == REFUSE_LATER_CARD,
            stored_credentials=stored_credentials,
        )
        return _authorised_card_order(code, orders[code])

    def _authorised_card_order(code: str, order: Order) -> str:
        """The reply to an authorised (or refused) card order; a ``createToken`` one gets its token."""
        if order.last_event != "AUTHORISED" or not order.create_token:
            return _order_status(code, order.last_event, order.amount)
        order.token_id = str(secrets.randbelow(10**19)).zfill(19)
        scheme_id = f"MCC{secrets.token_hex(6).upper()}"
        tokens[order.token_id] = Token(order.merchant_code, scheme_id, refuse=order.refuse_later)
        return _order_status(
            code, "AUTHORISED", order.amount, token_id=order.token_id, scheme_transaction_identifier=scheme_id
        )

    def _token_order(order: ET.Element, code: str, amount: int, merchant: str, username: str) -> str:
        """A merchant-initiated order paid with a stored token: refused or errored by its amount."""
        token_id = (order.findtext("paymentDetails/TOKEN-SSL/paymentTokenID") or "").strip()
        stored = order.find("paymentDetails/storedCredentials")
        token = tokens.get(token_id)
        if token is None:
            return _error("7", "Invalid payment details : Token does not exist", code)
        if stored is None or stored.get("usage") != "USED":
            return _error("7", "Invalid stored credentials: a token payment must be usage USED", code)
        if amount == TOKEN_ERROR_AMOUNT:
            return _error("7", "Invalid payment details", code)
        credentials = dict(stored.attrib)
        scheme_id = stored.findtext("schemeTransactionIdentifier")
        if scheme_id:
            credentials["schemeTransactionIdentifier"] = scheme_id
        refusal = amount - TOKEN_REFUSAL_BASE if 0 < amount - TOKEN_REFUSAL_BASE < 100 else None
        if token.refuse and refusal is None:
            refusal = 5
        event = "REFUSED" if refusal is not None else "AUTHORISED"
        orders[code] = Order(
            merchant, username, amount, event, token_id=token_id, stored_credentials=credentials
        )
        return _order_status(
            code,
            event,
            amount,
            refusal_code=refusal or 5,
            scheme_transaction_identifier=f"MCC{secrets.token_hex(6).upper()}",
        )

    def _modify(modification: ET.Element, merchant: str) -> str:
        code = modification.get("orderCode", "")
        order = orders.get(code)
        if order is None or order.merchant_code != merchant:
            return _error("5", "Could not find payment for order", None)
        kind = modification[0].tag
        order.modifications.append(kind)
        if kind == "capture":
            return f'<reply><ok><captureReceived orderCode="{html.escape(code)}">{_amount(order.amount)}</captureReceived></ok></reply>'
        if kind == "cancel":
            if order.last_event not in ("AUTHORISED", "SENT_FOR_AUTHORISATION"):
                return _error("5", "Order has already been paid", None)
            order.last_event = "CANCELLED"
            return f'<reply><ok><cancelReceived orderCode="{html.escape(code)}"/></ok></reply>'
        if kind == "refund":
            amount = modification.find("refund/amount")
            value = int(amount.get("value", "0")) if amount is not None else order.amount
            return f'<reply><ok><refundReceived orderCode="{html.escape(code)}">{_amount(value)}</refundReceived></ok></reply>'
        return _error("2", f"Unsupported modification {kind}", None)

    @app.post("/jsp/merchant/xml/paymentService.jsp")
    async def payment_service(request: Request) -> Response:
        who = _authenticate(request)
        if who is None:
            return Response("<html><body>401 Unauthorized</body></html>", status_code=401)
        username, merchant = who
        try:
            root = SafeET.fromstring(await request.body(), forbid_dtd=False)
        except Exception:
            return Response(_document(merchant, _error("2", "XML failed validation")), media_type="text/xml")
        if root.get("merchantCode") != merchant:
            return Response(_document(merchant, _error("4", "Security violation")), media_type="text/xml")
        submit = root.find("submit/order")
        modification = root.find("modify/orderModification")
        inquiry = root.find("inquiry/orderInquiry")
        if submit is not None:
            number = submit.findtext("paymentDetails/CARD-SSL/cardNumber")
            if number == SLOW_CARD:
                await asyncio.sleep(slow_seconds)
            if number == HTTP_500_CARD:
                return Response("Internal Server Error", status_code=500)
            body = _submit(submit, merchant, username)
        elif modification is not None and len(modification):
            body = _modify(modification, merchant)
        elif inquiry is not None:
            order = orders.get(inquiry.get("orderCode", ""))
            if order is None or order.merchant_code != merchant:
                body = _error("5", "Could not find payment for order", None)
            else:
                order.inquiries += 1
                body = _order_status(inquiry.get("orderCode", ""), order.last_event, order.amount)
        else:
            body = _error("2", "Unknown request")
        if body.startswith("HOSTILE:"):
            return Response('<?xml version="1.0"?>' + HOSTILE_REPLIES[body[8:]], media_type="text/xml")
        return Response(_document(merchant, body), media_type="text/xml")

    @app.post("/issuer")
    async def issuer(request: Request) -> HTMLResponse:
        """The bank's 3DS page: the payer passes or fails; the answer goes back to TermUrl."""
        form = await request.form()
        term_url = html.escape(str(form.get("TermUrl", "")))
        md = html.escape(str(form.get("MD", "")))
        buttons = "".join(
            f'<form method="post" action="{term_url}"><input type="hidden" name="PaRes" value="{value}">'
            f'<input type="hidden" name="MD" value="{md}"><button type="submit">{label}</button></form>'
            for value, label in ((PASS_3DS, "Pass authentication"), (FAIL_3DS, "Fail authentication"))
        )
        return HTMLResponse(f"<html><body><h1>Stub issuer</h1>{buttons}</body></html>")

    @app.get("/_stub/orders/{order_code}")
    async def order_state(order_code: str) -> JSONResponse:
        order = orders.get(order_code)
        if order is None:
            return JSONResponse({}, status_code=404)
        return JSONResponse(
            {
                "merchant_code": order.merchant_code,
                "username": order.username,
                "last_event": order.last_event,
                "modifications": order.modifications,
                "inquiries": order.inquiries,
                "token_id": order.token_id,
                "stored_credentials": order.stored_credentials,
            }
        )

    @app.put("/_stub/orders/{order_code}")
    async def change_order(order_code: str, request: Request) -> JSONResponse:
        """Move an order as Worldpay would on its own (the notification telling us is lost)."""
        order = orders.get(order_code)
        if order is None:
            return JSONResponse({}, status_code=404)
        order.last_event = (await request.json())["last_event"]
        return JSONResponse({"last_event": order.last_event})

    @app.post("/_stub/notify")
    async def notify(request: Request) -> JSONResponse:
        """Send an order status event for one of our orders to ``url`` (as Worldpay does)."""
        body: dict[str, Any] = await request.json()
        order = orders[body["order_code"]]
        order.last_event = body["status"]
        document = notification(
            order.merchant_code,
            body["order_code"],
            body["status"],
            order.amount,
            body.get("refund_reference"),
        )
        async with httpx.AsyncClient() as client:
            answer = await client.post(body["url"], content=document, headers={"Content-Type": "text/xml"})
        return JSONResponse({"status_code": answer.status_code, "body": answer.text})

    return app
