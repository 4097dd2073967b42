"""The payment pages' OpenAPI document (``/openapi.json``): HTML pages and form posts.

The form endpoints read ``request.form()`` themselves (field-by-field error messages), so
FastAPI cannot see their bodies; :func:`form_body` describes them, which is what lets the
contract-driven fuzzer (``make fuzz``) send them.
"""

from __future__ import annotations

from typing import Any


def form_body(*fields: str) -> dict[str, Any]:
    """``openapi_extra`` for a urlencoded form of optional string ``fields``."""
    schema = {"type": "object", "properties": {name: {"type": "string"} for name in fields}}
    return {"requestBody": {"content": {"application/x-www-form-urlencoded": {"schema": schema}}}}


#: The card form's fields (fact sheet B2), as the page posts them.
CARD_FORM = form_body(
    "chargeId",
    "csrfToken",
    "cardNo",
    "expiryMonth",
    "expiryYear",
    "cardholderName",
    "cvc",
    "addressLine1",
    "addressLine2",
    "addressCity",
    "addressPostcode",
    "addressCountry",
    "email",
)
CSRF_FORM = form_body("csrfToken")
SECURE_FORM = form_body("chargeTokenId")
THREE_DS_FORM = form_body("PaRes", "MD", "cres", "threeDSSessionData")
