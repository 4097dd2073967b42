"""Worldpay's XML order protocol: requests built with ElementTree, replies parsed with defusedxml.

Every document is a ``paymentService`` (version 1.4, with the merchant code) carrying one
``submit`` (order, 3DS answer), ``modify`` (capture, cancel, refund) or ``inquiry``; Worldpay
answers with a ``reply`` and sends order status events in a ``notify``. Shapes follow
Worldpay's published ``paymentService_v1.dtd``.

Parsing refuses any document that declares entities (internal, external, billion laughs) or
references an external resource: :func:`parse` raises :class:`UnsafeXml` for those and
:class:`MalformedXml` for anything that is not well-formed.

The request holding a card number is built here and sent by the adapter; neither ever logs it.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import date

import defusedxml
import defusedxml.ElementTree as SafeET

from connector.gateways.base import CardForAuthorisation

DOCTYPE = (
    '<!DOCTYPE paymentService PUBLIC "-//WorldPay//DTD WorldPay PaymentService v1//EN" '
    '"http://dtd.worldpay.com/paymentService_v1.dtd">'
)
VERSION = "1.4"
CURRENCY = "GBP"


class MalformedXml(ValueError):
    """Not a well-formed Worldpay document."""


class UnsafeXml(MalformedXml):
    """The document declares entities or points at external resources: refused unread."""


# --- building requests ---------------------------------------------------------------------


def _document(merchant_code: str) -> ET.Element:
    return ET.Element("paymentService", {"version": VERSION, "merchantCode": merchant_code})


def _serialise(root: ET.Element) -> bytes:
    body = ET.tostring(root, encoding="unicode")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{DOCTYPE}\n{body}'.encode()


def _amount(parent: ET.Element, pence: int) -> ET.Element:
    return ET.SubElement(parent, "amount", {"currencyCode": CURRENCY, "exponent": "2", "value": str(pence)})


def _submitted_order(merchant_code: str, order_code: str) -> tuple[ET.Element, ET.Element]:
    """The document and its ``submit/order``: what every order submission starts with."""
    root = _document(merchant_code)
    return root, ET.SubElement(ET.SubElement(root, "submit"), "order", {"orderCode": order_code})


def _payment_order(
    merchant_code: str, order_code: str, description: str, amount: int
) -> tuple[ET.Element, ET.Element, ET.Element]:
    """A new order's document, ``order`` (description and amount) and its ``paymentDetails``."""
    root, order = _submitted_order(merchant_code, order_code)
    _text(order, "description", description)
    _amount(order, amount)
    return root, order, ET.SubElement(order, "paymentDetails")


def _text(parent: ET.Element, tag: str, value: str) -> ET.Element:
    element = ET.SubElement(parent, tag)
    element.text = value
    return element


def _expiry(expiry_date: str) -> tuple[str, str]:
    """``MM/YY`` (or ``MM/YYYY``) as the order's month and four-digit year."""
    month, _, year = expiry_date.partition("/")
    return month, f"20{year}" if len(year) == 2 else year


def order_submit(
    merchant_code: str,
    order_code: str,
    *,
    description: str,
    amount: int,
    card: CardForAuthorisation,
    session_id: str,
    shopper_ip: str | None = None,
    accept_header: str | None = None,
    user_agent: str | None = None,
    request_3ds: bool = False,
    token_reference: str | None = None,
) -> bytes:
    """An order with the card details (``submit/order/paymentDetails/CARD-SSL``), its billing
    address when the card has one.

    With ``token_reference`` (setting up an agreement) the order asks Worldpay to keep the card:
    ``storedCredentials usage="FIRST"`` in the payment details and ``createToken`` (merchant scope,
    the reference as its event reference), answered by a ``token`` in the reply.
    """
    root, order, details = _payment_order(merchant_code, order_code, description, amount)
    card_ssl = ET.SubElement(details, "CARD-SSL")
    _text(card_ssl, "cardNumber", card.card_number)
    month, year = _expiry(card.expiry_date)
    ET.SubElement(ET.SubElement(card_ssl, "expiryDate"), "date", {"month": month, "year": year})
    _text(card_ssl, "cardHolderName", card.cardholder_name)
    _text(card_ssl, "cvc", card.cvc)
    address = card.address
    if address is not None:
        xml_address = ET.SubElement(ET.SubElement(card_ssl, "cardAddress"), "address")
        _text(xml_address, "address1", address.line1)
        if address.line2:
            _text(xml_address, "address2", address.line2)
        _text(xml_address, "postalCode", address.postcode)
        _text(xml_address, "city", address.city)
        _text(xml_address, "countryCode", address.country)
    if token_reference is not None:
        ET.SubElement(details, "storedCredentials", {"usage": "FIRST"})
    session = {"id": session_id}
    if shopper_ip:
        session["shopperIPAddress"] = shopper_ip
    ET.SubElement(details, "session", session)
    shopper = ET.SubElement(order, "shopper")
    browser = ET.SubElement(shopper, "browser")
    _text(browser, "acceptHeader", accept_header or "text/html")
    _text(browser, "userAgentHeader", user_agent or "Mozilla/5.0")
    if request_3ds:
        # Ask for 3DS when the account requires it (Worldpay otherwise decides by risk).
        ET.SubElement(order, "dynamic3DS", {"overrideAdvice": "do3DS"})
    if token_reference is not None:
        create_token = ET.SubElement(order, "createToken", {"tokenScope": "merchant"})
        _text(create_token, "tokenEventReference", token_reference)
        _text(create_token, "tokenReason", "Agreement set-up")
    return _serialise(root)


def token_order_submit(
    merchant_code: str,
    order_code: str,
    *,
    description: str,
    amount: int,
    payment_token_id: str,
    scheme_transaction_identifier: str | None,
) -> bytes:
    """A merchant-initiated recurring order paid with a stored token (no card, no CVC, no payer):
    ``paymentDetails/TOKEN-SSL`` and ``storedCredentials usage="USED"``, naming the set-up payment's
    scheme transaction when Worldpay gave one."""
    root, _, details = _payment_order(merchant_code, order_code, description, amount)
    token = ET.SubElement(details, "TOKEN-SSL", {"tokenScope": "merchant", "captureCvc": "false"})
    _text(token, "paymentTokenID", payment_token_id)
    stored = ET.SubElement(
        details, "storedCredentials", {"usage": "USED", "merchantInitiatedReason": "RECURRING"}
    )
    if scheme_transaction_identifier:
        _text(stored, "schemeTransactionIdentifier", scheme_transaction_identifier)
    return _serialise(root)


def three_ds_response(
    merchant_code: str, order_code: str, *, pa_response: str | None, session_id: str
) -> bytes:
    """The issuer's answer: ``info3DSecure/paResponse`` (3DS1) or ``completedAuthentication`` (3DS2)."""
    root, order = _submitted_order(merchant_code, order_code)
    info = ET.SubElement(order, "info3DSecure")
    if pa_response:
        _text(info, "paResponse", pa_response)
    else:
        ET.SubElement(info, "completedAuthentication")
    ET.SubElement(order, "session", {"id": session_id})
    return _serialise(root)


def _modification(merchant_code: str, order_code: str) -> tuple[ET.Element, ET.Element]:
    root = _document(merchant_code)
    modification = ET.SubElement(
        ET.SubElement(root, "modify"), "orderModification", {"orderCode": order_code}
    )
    return root, modification


def capture(merchant_code: str, order_code: str, *, amount: int, on: date) -> bytes:
    root, modification = _modification(merchant_code, order_code)
    element = ET.SubElement(modification, "capture")
    ET.SubElement(
        element, "date", {"dayOfMonth": f"{on.day:02d}", "month": f"{on.month:02d}", "year": str(on.year)}
    )
    _amount(element, amount)
    return _serialise(root)


def cancel(merchant_code: str, order_code: str) -> bytes:
    root, modification = _modification(merchant_code, order_code)
    ET.SubElement(modification, "cancel")
    return _serialise(root)


def refund(merchant_code: str, order_code: str, *, amount: int, reference: str) -> bytes:
    root, modification = _modification(merchant_code, order_code)
    _amount(ET.SubElement(modification, "refund", {"reference": reference}), amount)
    return _serialise(root)


def inquiry(merchant_code: str, order_code: str) -> bytes:
    root = _document(merchant_code)
    ET.SubElement(ET.SubElement(root, "inquiry"), "orderInquiry", {"orderCode": order_code})
    return _serialise(root)


# --- parsing -------------------------------------------------------------------------------


def parse(document: bytes | str) -> ET.Element:
    """The root element of a Worldpay document; entity declarations and external references refused."""
    try:
        root: ET.Element = SafeET.fromstring(
            document, forbid_dtd=False, forbid_entities=True, forbid_external=True
        )
    except defusedxml.DefusedXmlException as exc:
        raise UnsafeXml(type(exc).__name__) from None
    except ET.ParseError as exc:
        raise MalformedXml(str(exc)) from None
    if root.tag != "paymentService":
        raise MalformedXml(f"unexpected root element {root.tag}")
    return root


@dataclass(frozen=True)
class Reply:
    """What a ``reply`` says, whatever the request was."""

    order_code: str | None = None
    last_event: str | None = None
    error_code: str | None = None
    error_message: str | None = None
    #: 3DS1 challenge (``request3DSecure``).
    pa_request: str | None = None
    issuer_url: str | None = None
    #: 3DS2 challenge (``challengeRequired/threeDSChallengeDetails``).
    challenge_acs_url: str | None = None
    challenge_payload: str | None = None
    challenge_transaction_id: str | None = None
    three_ds_version: str | None = None
    #: ``ok/captureReceived`` | ``ok/cancelReceived`` | ``ok/refundReceived`` … (the element name).
    acknowledged: str | None = None
    #: ``payment/ISO8583ReturnCode/@code`` of a refusal (5 do not honour, 51 insufficient funds...).
    refusal_code: str | None = None
    #: ``token/tokenDetails/paymentTokenID``: the card kept by a ``createToken`` order.
    payment_token_id: str | None = None
    #: ``payment/schemeResponse/transactionIdentifier``: names the first payment in later ones.
    scheme_transaction_identifier: str | None = None


def _text_of(element: ET.Element | None, path: str) -> str | None:
    if element is None:
        return None
    found = element.find(path)
    if found is None or found.text is None:
        return None
    return found.text.strip()


def _attribute_of(element: ET.Element, path: str, name: str) -> str | None:
    found = element.find(path)
    return found.get(name) if found is not None else None


def _parse_to(document: bytes | str, path: str) -> tuple[ET.Element, ET.Element]:
    """The document's root and the element at ``path`` below it; MalformedXml when there is none."""
    root = parse(document)
    found = root.find(path)
    if found is None:
        raise MalformedXml(f"no {path} element")
    return root, found


def parse_reply(document: bytes | str) -> Reply:
    _, reply = _parse_to(document, "reply")
    error = reply.find(".//error")
    order_status = reply.find("orderStatus")
    ok = reply.find("ok")
    if ok is not None and len(ok):
        acknowledgement = ok[0]
        return Reply(order_code=acknowledgement.get("orderCode"), acknowledged=acknowledgement.tag)
    if order_status is None:
        if error is None:
            raise MalformedXml("reply has neither orderStatus, ok nor error")
        return Reply(error_code=error.get("code"), error_message=(error.text or "").strip())
    challenge = order_status.find("challengeRequired/threeDSChallengeDetails")
    return Reply(
        order_code=order_status.get("orderCode"),
        last_event=_text_of(order_status, "payment/lastEvent"),
        error_code=error.get("code") if error is not None else None,
        error_message=(error.text or "").strip() if error is not None else None,
        pa_request=_text_of(order_status, "requestInfo/request3DSecure/paRequest"),
        issuer_url=_text_of(order_status, "requestInfo/request3DSecure/issuerURL"),
        challenge_acs_url=_text_of(challenge, "acsURL"),
        challenge_payload=_text_of(challenge, "payload"),
        challenge_transaction_id=_text_of(challenge, "transactionId3DS"),
        three_ds_version=_text_of(challenge, "threeDSVersion"),
        refusal_code=_attribute_of(order_status, "payment/ISO8583ReturnCode", "code"),
        payment_token_id=_text_of(order_status, "token/tokenDetails/paymentTokenID")
        or _text_of(order_status, "token/paymentTokenID"),
        scheme_transaction_identifier=_text_of(order_status, "payment/schemeResponse/transactionIdentifier")
        or _text_of(order_status, "schemeResponse/transactionIdentifier"),
    )


@dataclass(frozen=True)
class Notification:
    """An order status event (connector.md §15.1)."""

    merchant_code: str | None
    order_code: str | None
    status: str | None
    booking_date: date | None
    refund_reference: str | None
    refund_authorisation_reference: str | None


def _booking_date(event: ET.Element) -> date | None:
    found = event.find("journal/bookingDate/date")
    if found is None:
        return None
    try:
        return date(int(found.get("year", "")), int(found.get("month", "")), int(found.get("dayOfMonth", "")))
    except ValueError:
        return None


def _journal_reference(event: ET.Element, kind: str) -> str | None:
    for reference in event.iter("journalReference"):
        if reference.get("type") == kind:
            return reference.get("reference")
    return None


def parse_notification(document: bytes | str) -> Notification:
    root, event = _parse_to(document, "notify/orderStatusEvent")
    journal = event.find("journal")
    return Notification(
        merchant_code=root.get("merchantCode"),
        order_code=(event.get("orderCode") or "").strip() or None,
        status=journal.get("journalType") if journal is not None else None,
        booking_date=_booking_date(event),
        refund_reference=_journal_reference(event, "capture"),
        refund_authorisation_reference=_journal_reference(event, "refund_authorisation"),
    )
