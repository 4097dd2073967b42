"""payment_provider name -> gateway adapter.

The charge, capture, cancel and refund services ask ``get_gateway(charge.payment_provider)``
and never import an adapter themselves, so Worldpay or Stripe adapters can be added here
without touching them. A provider with no adapter raises ``UnsupportedGateway`` (a
``GatewayError``), which callers record like any other gateway failure: never a 500.
Tests swap an adapter for a wrapper (counting calls, simulating a crash) with :func:`override`.

:func:`configured` (entered by the app's lifespan) registers the Worldpay and Stripe adapters
built from the settings, each with its own HTTP client, and closes those clients at shutdown.
They are registered for the app's event loop: an HTTP client belongs to the loop it was made
in, and tests run several apps in one process (the in-process app, the end-to-end servers'
threads), each of which must reach its own. Look-up order: a test's :func:`override`, then
the running loop's configured adapters, then the process-wide ones (sandbox).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager

import httpx

from connector.config import Settings
from connector.gateways.base import PaymentGateway, UnsupportedGateway
from connector.gateways.sandbox.adapter import SandboxGateway
from connector.gateways.sandbox.ledger import SandboxLedger
from connector.gateways.stripe.adapter import StripeGateway
from connector.gateways.worldpay.adapter import WorldpayGateway

_gateways: dict[str, PaymentGateway] = {"sandbox": SandboxGateway()}
_overrides: dict[str, PaymentGateway] = {}
#: Per loop, the adapter sets of every ``configured`` block open in it (the innermost wins).
_configured: dict[asyncio.AbstractEventLoop, list[dict[str, PaymentGateway]]] = {}


def _loop_gateways() -> dict[str, PaymentGateway]:
    try:
        stack = _configured.get(asyncio.get_running_loop())
    except RuntimeError:  # no running loop
        return {}
    return stack[-1] if stack else {}


def get_gateway(name: str) -> PaymentGateway:
    """The adapter for ``name``; ``UnsupportedGateway`` when none is registered."""
    found = _overrides.get(name) or _loop_gateways().get(name) or _gateways.get(name)
    if found is None:
        raise UnsupportedGateway(f"Payment provider {name} is not supported.")
    return found


def register(name: str, gateway: PaymentGateway) -> None:
    _gateways[name] = gateway


def configure_sandbox(ledger_path: str | None, latency: float) -> None:
    """Every process that calls the sandbox (web app, job worker) shares its ledger file and latency
    (``CONNECTOR_SANDBOX_LEDGER_PATH``, ``CONNECTOR_SANDBOX_LATENCY_SECONDS``); unset: the default."""
    if ledger_path or latency:
        register("sandbox", SandboxGateway(SandboxLedger(ledger_path), latency=latency))


def supported_providers() -> frozenset[str]:
    return frozenset(_gateways) | frozenset(_loop_gateways()) | frozenset(_overrides)


@contextmanager
def override(name: str, gateway: PaymentGateway) -> Iterator[PaymentGateway]:
    """Use ``gateway`` for ``name`` inside the block, then restore what was there (tests)."""
    previous = _overrides.get(name)
    _overrides[name] = gateway
    try:
        yield gateway
    finally:
        if previous is None:
            _overrides.pop(name, None)
        else:
            _overrides[name] = previous


def build_worldpay(settings: Settings, client: httpx.AsyncClient) -> WorldpayGateway:
    return WorldpayGateway(
        client,
        settings.worldpay_url,
        connect_timeout=settings.worldpay_connect_timeout_seconds,
        authorise_timeout=settings.worldpay_authorise_timeout_seconds,
        capture_timeout=settings.worldpay_capture_timeout_seconds,
        cancel_timeout=settings.worldpay_cancel_timeout_seconds,
        refund_timeout=settings.worldpay_refund_timeout_seconds,
        inquiry_timeout=settings.worldpay_inquiry_timeout_seconds,
    )


def build_stripe(settings: Settings) -> StripeGateway:
    return StripeGateway(
        api_key=settings.stripe_api_key.get_secret_value(),
        api_base=settings.stripe_api_base,
        timeout=settings.stripe_timeout_seconds,
        platform_account_id=settings.stripe_platform_account_id,
        fee_percentage=settings.stripe_transaction_fee_percentage,
    )


@asynccontextmanager
async def configured(settings: Settings) -> AsyncIterator[None]:
    """Register Worldpay and Stripe for the running loop for the block (the app's lifetime)."""
    loop = asyncio.get_running_loop()
    async with httpx.AsyncClient() as worldpay_client:
        stripe = build_stripe(settings)
        # A web app and the worker inside it may each open one in the same loop, and close in any order.
        mine: dict[str, PaymentGateway] = {
            "worldpay": build_worldpay(settings, worldpay_client),
            "stripe": stripe,
        }
        stack = _configured.setdefault(loop, [])
        stack.append(mine)
        try:
            yield
        finally:
            stack.remove(mine)
            if not stack:
                _configured.pop(loop, None)
            await stripe.close()
