"""The service tokens tests send to connector (connector refuses its API routes without one).

``tests/conftest.py`` gives connector this key for every caller, and every caller this key.
"""

from __future__ import annotations

from pay_common.service_auth import SERVICE_TOKEN_HEADER, ServiceTokenSigner

#: At least 32 bytes, like production's.
TEST_SERVICE_TOKEN_KEY = "test-service-token-key-of-32-bytes-or-more"


def service_token_headers(caller: str = "pay_admin", *, ttl_seconds: int = 600) -> dict[str, str]:
    """Headers with a fresh token: for clients a test points at connector itself."""
    signer = ServiceTokenSigner(caller, TEST_SERVICE_TOKEN_KEY, ttl_seconds=ttl_seconds)
    return {SERVICE_TOKEN_HEADER: signer.mint()}
