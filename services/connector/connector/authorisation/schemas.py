"""Request bodies of the frontend journey, validated as connector.md §7.1 says.

A /cards body that fails validation answers 422 ``Values do not match expected
format/length.`` without echoing any value back (it may hold a card number).
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

_CARD_NUMBER = re.compile(r"[0-9]{12,19}")
_CVC = re.compile(r"[0-9]{3,4}")
_EXPIRY = re.compile(r"(0[1-9]|1[0-2])/[0-9]{2}")
_LOOKS_LIKE_CVC = re.compile(r"\s*[0-9]{3,4}\s*")
#: The fields of a /cards body that must match a format as a whole, and the format.
_FORMATS = {"card_number": _CARD_NUMBER, "cvc": _CVC, "expiry_date": _EXPIRY}


def digit_count(value: str) -> int:
    return sum(character.isdigit() for character in value)


def _no_card_number(value: str | None) -> str | None:
    # 12+ digits anywhere could be a card number typed into the wrong box: refuse it.
    if value is not None and digit_count(value) >= 12:
        raise ValueError("contains too many digits")
    return value


class Address(BaseModel):
    model_config = ConfigDict(extra="ignore", strict=True)

    line1: str = Field(min_length=1, max_length=255)
    line2: str | None = Field(default=None, max_length=255)
    city: str = Field(min_length=1, max_length=255)
    postcode: str = Field(min_length=1, max_length=25)
    county: str | None = Field(default=None, max_length=255)
    #: ISO 3166 alpha-2, as the payment pages send it.
    country: str = Field(min_length=2, max_length=2)

    @field_validator("line1", "line2", "city", "postcode", "county", "country")
    @classmethod
    def _no_card_numbers(cls, value: str | None) -> str | None:
        return _no_card_number(value)

    @field_validator("line1", "city", "postcode", "country")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("blank")
        return value


class CardAuthorisationRequest(BaseModel):
    """``POST /v1/frontend/charges/{id}/cards``. The card number and CVC never leave this object
    except towards the gateway (``repr`` hides them)."""

    model_config = ConfigDict(extra="ignore", strict=True, hide_input_in_errors=True)

    card_number: str = Field(repr=False)
    cvc: str = Field(repr=False)
    expiry_date: str
    card_brand: str = Field(max_length=255)
    cardholder_name: str | None = Field(default=None, max_length=255)
    address: Address | None = None
    card_type: Literal["DEBIT", "CREDIT", "CREDIT_OR_DEBIT"] | None = None
    prepaid: Literal["PREPAID", "NOT_PREPAID", "UNKNOWN"] = "UNKNOWN"
    corporate_card: bool = False
    #: Passed to the gateway only, never stored (connector.md §7.1).
    accept_header: str | None = Field(default=None, max_length=1000)
    user_agent_header: str | None = Field(default=None, max_length=1000)
    ip_address: str | None = Field(default=None, max_length=45)

    @field_validator(*_FORMATS)
    @classmethod
    def _formatted(cls, value: str, info: ValidationInfo) -> str:
        if not _FORMATS[str(info.field_name)].fullmatch(value):
            raise ValueError(f"invalid {info.field_name}")
        return value

    @field_validator("card_brand")
    @classmethod
    def _brand(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("blank")
        _no_card_number(value)
        return value

    @field_validator("cardholder_name")
    @classmethod
    def _cardholder(cls, value: str | None) -> str | None:
        if value is not None and _LOOKS_LIKE_CVC.fullmatch(value):
            raise ValueError("looks like a cvc")
        return _no_card_number(value)


class ThreeDsRequest(BaseModel):
    """``POST /v1/frontend/charges/{id}/3ds`` (Auth3dsResult)."""

    model_config = ConfigDict(extra="ignore", strict=True)

    pa_response: str | None = Field(default=None, max_length=100_000)
    md: str | None = Field(default=None, max_length=10_000)
    auth_3ds_result: str | None = Field(default=None, max_length=20)
    three_ds_version: str | None = Field(default=None, max_length=10)


class StatusChangeRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")

    new_status: str | None = None


class EmailPatch(BaseModel):
    model_config = ConfigDict(extra="ignore")

    op: str | None = None
    path: str | None = None
    value: str | None = None
