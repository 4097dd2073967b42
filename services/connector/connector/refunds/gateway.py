"""Which adapter carries out a refund: the one place the refund feature asks for a gateway.

Tests replace :func:`refund_gateway` to simulate third-party providers.
"""

from __future__ import annotations

from connector.gateways.base import PaymentGateway
from connector.gateways.registry import get_gateway


def refund_gateway(provider: str) -> PaymentGateway:
    return get_gateway(provider)
