"""payment_provider name -> gateway adapter.

The charge, capture, cancel and refund services ask ``get_gateway(charge.payment_provider)``
and never import an adapter themselves, so Worldpay or Stripe adapters can be added here
without touching them. A provider with no adapter raises ``UnsupportedGateway`` (a
``GatewayError``), which callers record like any other gateway failure: never a 500.
Tests swap an adapter for a wrapper (counting calls, simulating a crash) with :func:`override`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from connector.gateways.base import PaymentGateway, UnsupportedGateway
from connector.gateways.sandbox.adapter import SandboxGateway
from connector.gateways.sandbox.ledger import SandboxLedger

_gateways: dict[str, PaymentGateway] = {"sandbox": SandboxGateway()}


def get_gateway(name: str) -> PaymentGateway:
    """The adapter for ``name``; ``UnsupportedGateway`` when none is registered."""
    try:
        return _gateways[name]
    except KeyError:
        raise UnsupportedGateway(f"Payment provider {name} is not supported.") from None


def register(name: str, gateway: PaymentGateway) -> None:
    _gateways[name] = gateway


def configure_sandbox(ledger_path: str | None, latency: float) -> None:
    """Every process that calls the sandbox (web app, job worker) shares its ledger file and latency
    (``CONNECTOR_SANDBOX_LEDGER_PATH``, ``CONNECTOR_SANDBOX_LATENCY_SECONDS``); unset: the default."""
    if ledger_path or latency:
        register("sandbox", SandboxGateway(SandboxLedger(ledger_path), latency=latency))


def supported_providers() -> frozenset[str]:
    return frozenset(_gateways)


@contextmanager
def override(name: str, gateway: PaymentGateway) -> Iterator[PaymentGateway]:
    """Use ``gateway`` for ``name`` inside the block, then restore what was there (tests)."""
    previous = _gateways.get(name)
    _gateways[name] = gateway
    try:
        yield gateway
    finally:
        if previous is None:
            _gateways.pop(name, None)
        else:
            _gateways[name] = previous
