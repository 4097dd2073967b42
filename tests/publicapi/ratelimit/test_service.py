"""Rate keys and limit classes (publicapi.md §c), without HTTP."""

from __future__ import annotations

import pytest

from publicapi.ratelimit.service import RateLimiter, path_type, rate_key
from tests.publicapi.ratelimit.conftest import small_limits


@pytest.mark.parametrize(
    ("method", "path", "expected"),
    [
        ("POST", "/v1/payments", "POST-create_payment-123"),
        ("POST", "/v1/payments/", "POST-create_payment-123"),
        ("POST", "/v1/payments/abc/capture", "POST-capture_payment-123"),
        ("POST", "/v1/payments/abc/capture/", "POST-capture_payment-123"),
        ("POST", "/v1/payments/abc/cancel", "POST-123"),
        ("POST", "/v1/payments/abc/refunds", "POST-123"),
        ("GET", "/v1/payments", "GET-123"),
        ("GET", "/v1/payments/abc", "GET-123"),
        ("get", "/v1/refunds", "GET-123"),
    ],
)
def test_rate_keys_follow_the_original(method: str, path: str, expected: str) -> None:
    assert "-".join(rate_key(method, path, "123")) == expected


def test_only_post_to_payments_is_create_payment() -> None:
    assert path_type("GET", "/v1/payments") is None
    assert path_type("POST", "/v1/payment_notification") is None


def test_account_ids_never_share_a_bucket_by_concatenation() -> None:
    assert rate_key("GET", "/v1/payments", "12") != rate_key("GET", "/v1/payments", "123")


def test_limit_classes_elevated_before_low_traffic() -> None:
    limiter = RateLimiter(
        small_limits(
            rate_limiter_elevated_accounts="7, 9",
            rate_limiter_low_traffic_accounts="9,11",
            rate_limiter_elevated_value_post=40,
            rate_limiter_elevated_value_get=100,
            rate_limiter_low_traffic_value_post=1,
            rate_limiter_low_traffic_value_get=4500,
            rate_limiter_per_millis=1000,
        )
    )

    def shape(method: str, account: str) -> tuple[int, int]:
        item = limiter.limit_for(method, account)
        return item.amount, item.get_expiry()

    assert shape("POST", "1") == (2, 1)
    assert shape("GET", "1") == (3, 1)
    assert shape("DELETE", "1") == (3, 1)
    assert shape("POST", "7") == (40, 1)
    assert shape("GET", "9") == (100, 1)
    assert shape("POST", "11") == (1, 60)
    assert shape("GET", "11") == (4500, 60)
    assert limiter.fallback_limit_for("POST").amount == 4
    assert limiter.fallback_limit_for("GET").amount == 5


def test_default_limits_are_the_originals() -> None:
    limiter = RateLimiter(
        small_limits(rate_limiter_value=75, rate_limiter_value_post=15, rate_limiter_per_millis=1000)
    )
    assert limiter.limit_for("POST", "1").amount == 15
    assert limiter.limit_for("GET", "1").amount == 75
    assert not limiter.uses_redis
