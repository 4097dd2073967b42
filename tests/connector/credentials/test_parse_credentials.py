"""``parse_credentials``: one typed model per provider (connector.md §14.3)."""

from __future__ import annotations

from typing import Any

import pytest

from connector.gateways.base import GatewayError
from connector.gateways.credentials import (
    CredentialsInvalid,
    SandboxCredentials,
    StripeCredentials,
    WorldpayCredentials,
    WorldpayRole,
    parse_credentials,
    stored_credentials,
)
from connector.gateways.worldpay.adapter import merchant_credentials

PASSWORD = "pw-very-secret"
ROLE = {"merchant_code": "MC", "username": "u", "password": PASSWORD}


class TestParseCredentials:
    def test_sandbox_is_empty_and_ignores_other_keys(self) -> None:
        assert parse_credentials("sandbox", {}) == SandboxCredentials()
        assert parse_credentials("sandbox", {"legacy": "x"}) == SandboxCredentials()

    def test_stripe_has_its_connected_account(self) -> None:
        parsed = parse_credentials("stripe", {"stripe_account_id": "acct_1"})
        assert parsed == StripeCredentials(stripe_account_id="acct_1")

    def test_worldpay_roles_are_optional_and_typed(self) -> None:
        parsed = parse_credentials(
            "worldpay",
            {
                "one_off_customer_initiated": ROLE,
                "gateway_merchant_id": "0123456789abcde",
                "merchant_id": "a legacy flat key",
            },
        )
        assert isinstance(parsed, WorldpayCredentials)
        merchant = parsed.merchant(WorldpayRole.ONE_OFF_CUSTOMER_INITIATED)
        assert merchant is not None
        assert (merchant.merchant_code, merchant.username) == ("MC", "u")
        assert merchant.password.get_secret_value() == PASSWORD
        assert parsed.merchant(WorldpayRole.RECURRING_MERCHANT_INITIATED) is None
        assert parsed.gateway_merchant_id == "0123456789abcde"
        assert parsed.merchant_codes() == {"MC"}
        assert parse_credentials("worldpay", {}) == WorldpayCredentials()

    @pytest.mark.parametrize(
        ("provider", "raw", "error"),
        [
            ("stripe", {}, "Field [stripe_account_id] is required"),
            ("stripe", {"stripe_account_id": ""}, "Field [stripe_account_id] must be a non-empty string"),
            ("stripe", {"stripe_account_id": 42}, "Field [stripe_account_id] must be a non-empty string"),
            (
                "worldpay",
                {"one_off_customer_initiated": {"merchant_code": "MC", "username": "u"}},
                "Field [one_off_customer_initiated.password] is required",
            ),
            (
                "worldpay",
                {"recurring_customer_initiated": "MC"},
                "Field [recurring_customer_initiated] must be an object",
            ),
            (
                "worldpay",
                {"gateway_merchant_id": "XYZ"},
                "Field [gateway_merchant_id] does not have the expected format",
            ),
            ("epdq", {"merchant_id": "m"}, "Payment provider [epdq] has no typed credentials"),
        ],
    )
    def test_a_wrong_shape_is_refused(self, provider: str, raw: dict[str, Any], error: str) -> None:
        with pytest.raises(CredentialsInvalid) as caught:
            parse_credentials(provider, raw)
        assert caught.value.errors == [error]
        assert caught.value.provider == provider

    def test_a_refusal_never_quotes_the_password(self) -> None:
        role = {"merchant_code": 7, "username": "u", "password": PASSWORD}
        with pytest.raises(CredentialsInvalid) as caught:
            parse_credentials(
                "worldpay", {"one_off_customer_initiated": role, "gateway_merchant_id": PASSWORD}
            )
        assert PASSWORD not in str(caught.value)
        assert PASSWORD not in repr(caught.value.errors)

    def test_the_password_is_never_in_repr_or_str(self) -> None:
        parsed = parse_credentials("worldpay", {role.value: ROLE for role in WorldpayRole})
        assert isinstance(parsed, WorldpayCredentials)
        merchant = parsed.merchant(WorldpayRole.RECURRING_MERCHANT_INITIATED)
        for text in (repr(parsed), str(parsed), repr(merchant), str(merchant), parsed.model_dump_json()):
            assert PASSWORD not in text
        assert "MC" in repr(parsed)


class TestStoredCredentials:
    def test_a_stored_map_that_does_not_fit_is_none(self) -> None:
        assert stored_credentials("stripe", {}) is None
        assert stored_credentials("adyen", {"store_id": "s"}) is None
        assert stored_credentials("sandbox", None) == SandboxCredentials()
        assert stored_credentials("stripe", {"stripe_account_id": "acct_1"}) == StripeCredentials(
            stripe_account_id="acct_1"
        )


class TestWorldpayMerchantCredentials:
    def test_the_adapter_takes_the_role_it_needs_and_hides_the_password(self) -> None:
        parsed = parse_credentials("worldpay", {"one_off_customer_initiated": ROLE})
        merchant = merchant_credentials(parsed, WorldpayRole.ONE_OFF_CUSTOMER_INITIATED)
        assert (merchant.merchant_code, merchant.username, merchant.password) == ("MC", "u", PASSWORD)
        assert PASSWORD not in repr(merchant)

    @pytest.mark.parametrize(
        "credentials", [None, SandboxCredentials(), StripeCredentials(stripe_account_id="acct_1")]
    )
    def test_missing_or_foreign_credentials_fail_the_call(self, credentials: Any) -> None:
        with pytest.raises(GatewayError, match="one_off_customer_initiated are not set"):
            merchant_credentials(credentials, WorldpayRole.ONE_OFF_CUSTOMER_INITIATED)
