"""Gateway wrappers for tests, registered with ``registry.override`` (never by patching modules)."""

from __future__ import annotations

import asyncio
from collections import Counter

from connector.gateways.base import (
    AuthorisationRequest,
    AuthorisationResult,
    AuthorisationStatus,
    CancelStatus,
    CaptureResult,
    GatewayError,
    GatewayOperation,
    PaymentGateway,
    RefundRequest,
    RefundResult,
    ThreeDsResult,
    UserNotPresentRequest,
)
from connector.gateways.sandbox.adapter import SandboxGateway
from connector.gateways.sandbox.ledger import SandboxLedger


class SimulatedCrash(BaseException):
    """Stands for the process dying mid-call: nothing after the gateway call runs."""


class CountingGateway:
    """Counts every call, optionally waits before answering, then delegates to the sandbox.

    ``fail`` names operations that raise ``GatewayError``; ``crash`` names operations that
    raise :class:`SimulatedCrash` (the process "dies" after the intent was committed).
    """

    name = "sandbox"

    def __init__(
        self,
        inner: PaymentGateway | None = None,
        *,
        delay: float = 0.0,
        fail: frozenset[str] = frozenset(),
        crash: frozenset[str] = frozenset(),
    ) -> None:
        self.inner: PaymentGateway = inner or SandboxGateway()
        self.delay = delay
        self.fail = fail
        self.crash = crash
        self.calls: Counter[str] = Counter()
        self.idempotency_keys: list[str] = []

    async def _enter(self, operation: str) -> None:
        self.calls[operation] += 1
        if self.delay:
            await asyncio.sleep(self.delay)
        if operation in self.crash:
            raise SimulatedCrash(operation)
        if operation in self.fail:
            raise GatewayError(f"simulated {operation} failure")

    async def authorise(self, request: AuthorisationRequest) -> AuthorisationResult:
        await self._enter("authorise")
        return await self.inner.authorise(request)

    async def authorise_user_not_present(self, request: UserNotPresentRequest) -> AuthorisationResult:
        await self._enter("authorise_user_not_present")
        return await self.inner.authorise_user_not_present(request)

    async def authorise_3ds(self, result: ThreeDsResult) -> AuthorisationResult:
        await self._enter("authorise_3ds")
        return await self.inner.authorise_3ds(result)

    async def capture(self, operation: GatewayOperation) -> CaptureResult:
        self.idempotency_keys.append(operation.idempotency_key)
        await self._enter("capture")
        return await self.inner.capture(operation)

    async def cancel(self, operation: GatewayOperation) -> CancelStatus:
        await self._enter("cancel")
        return await self.inner.cancel(operation)

    async def refund(self, request: RefundRequest) -> RefundResult:
        await self._enter("refund")
        return await self.inner.refund(request)

    async def query(self, operation: GatewayOperation) -> AuthorisationStatus | None:
        await self._enter("query")
        return await self.inner.query(operation)


class GatedSandbox(SandboxGateway):
    """The sandbox, recording into ``ledger``, whose authorisations are held at the "provider":
    each waits ``delay`` seconds and, when ``gated``, until the test opens ``gate`` (``entered`` is
    set once a call is there). ``crash_after_authorising``: the provider authorises, then the
    connector "dies" before it hears the answer."""

    def __init__(
        self,
        ledger: SandboxLedger | None = None,
        *,
        delay: float = 0.0,
        gated: bool = True,
        crash_after_authorising: bool = False,
    ) -> None:
        super().__init__(ledger)
        self.delay = delay
        self.entered = asyncio.Event()
        self.gate = asyncio.Event()
        if not gated:
            self.gate.set()
        self.crash_after_authorising = crash_after_authorising

    async def authorise(self, request: AuthorisationRequest) -> AuthorisationResult:
        self.entered.set()
        await self.gate.wait()
        if self.delay:
            await asyncio.sleep(self.delay)
        result = await super().authorise(request)
        if self.crash_after_authorising:
            raise SimulatedCrash("authorise")
        return result
