"""``POST /v1/tasks/gateway-cleanup-sweep?limit=N``: settle charges whose authorisation errored.

A charge in ``AUTHORISATION ERROR`` / ``TIMEOUT`` / ``UNEXPECTED ERROR`` on Worldpay or Stripe
(web or MOTO API) may still hold money at the provider. For each, at most ``limit``, the
provider is queried with no transaction open:

- no such payment → ``AUTHORISATION ERROR CHARGE MISSING``;
- still open (authorised, awaiting 3DS) → cancelled at the provider, then
  ``AUTHORISATION ERROR CANCELLED`` (a failed cancel counts as a failure, the charge stays);
- refused or errored → ``AUTHORISATION ERROR REJECTED``;
- cancelled or expired → ``AUTHORISATION ERROR CANCELLED``;
- anything else (captured, or a query that failed) → a failure, logged, the charge untouched.

The result is recorded only if the charge is still in its error status (re-checked under the
row lock), so two sweeps racing on one charge cannot both move it.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from connector.charges import repository
from connector.charges.gateway_call import GatewayCall
from connector.charges.service import transition
from connector.charges.state import ChargeStatus
from connector.gateways import registry
from connector.gateways.base import AuthorisationStatus, GatewayError, GatewayOperation, GatewayOrderNotFound
from connector.models import Charge
from pay_common.db.session import unit_of_work
from pay_common.logging import get_logger

logger = get_logger(__name__)
S = ChargeStatus

PROVIDERS = ("epdq", "worldpay", "stripe")
ERROR_STATUSES = (S.AUTHORISATION_ERROR, S.AUTHORISATION_TIMEOUT, S.AUTHORISATION_UNEXPECTED_ERROR)
MODES = ("WEB", "MOTO_API")
_OPEN = frozenset({AuthorisationStatus.AUTHORISED, AuthorisationStatus.REQUIRES_3DS})
_DIRECT = {
    AuthorisationStatus.REJECTED: S.AUTHORISATION_ERROR_REJECTED,
    AuthorisationStatus.ERROR: S.AUTHORISATION_ERROR_REJECTED,
    AuthorisationStatus.CANCELLED: S.AUTHORISATION_ERROR_CANCELLED,
}


@dataclass(frozen=True)
class CleanupResult:
    success: int
    failed: int

    def as_json(self) -> dict[str, int]:
        return {"cleanup-success": self.success, "cleanup-failed": self.failed}


@dataclass(frozen=True)
class _Candidate:
    charge_id: int
    operation: GatewayOperation
    provider: str


async def _candidates(sessionmaker: async_sessionmaker[AsyncSession], limit: int) -> list[_Candidate]:
    async with unit_of_work(sessionmaker) as session:
        charges = (
            await session.scalars(
                select(Charge)
                .where(
                    Charge.payment_provider.in_(PROVIDERS),
                    Charge.status.in_([s.value for s in ERROR_STATUSES]),
                    Charge.authorisation_mode.in_(MODES),
                )
                .order_by(Charge.id)
                .limit(limit)
            )
        ).all()
        found: list[_Candidate] = []
        for charge in charges:
            call = await GatewayCall.of(session, charge)
            operation = call.operation(f"connector:cleanup-cancel:{call.external_id}")
            found.append(_Candidate(call.charge_id, operation, call.provider))
        return found


async def _target(candidate: _Candidate) -> ChargeStatus | None:
    """Where the provider's view puts the charge; None when it cannot be cleaned up."""
    log = logger.bind(charge_external_id=candidate.operation.charge_external_id, provider=candidate.provider)
    try:
        gateway = registry.get_gateway(candidate.provider)
        status = await gateway.query(candidate.operation)
    except GatewayOrderNotFound:
        return S.AUTHORISATION_ERROR_CHARGE_MISSING
    except GatewayError as exc:
        log.warning("charge.cleanup.query_failed", error=exc.message)
        return None
    if status in _OPEN:
        try:
            await gateway.cancel(candidate.operation)
        except GatewayError as exc:
            log.warning("charge.cleanup.cancel_failed", error=exc.message)
            return None
        return S.AUTHORISATION_ERROR_CANCELLED
    if status in _DIRECT:
        return _DIRECT[status]
    log.warning("charge.cleanup.unexpected_gateway_status", gateway_status=str(status))
    return None


async def _record(
    sessionmaker: async_sessionmaker[AsyncSession], charge_id: int, target: ChargeStatus
) -> bool:
    async with unit_of_work(sessionmaker) as session:
        charge = await repository.lock_charge_by_id(session, charge_id)
        if charge is None or charge.status not in ERROR_STATUSES:
            return False
        await transition(session, charge, target)
        logger.info("charge.cleanup.done", charge_external_id=charge.external_id, status=target.value)
        return True


async def sweep(sessionmaker: async_sessionmaker[AsyncSession], limit: int) -> CleanupResult:
    success = failed = 0
    for candidate in await _candidates(sessionmaker, limit):
        target = await _target(candidate)
        if target is not None and await _record(sessionmaker, candidate.charge_id, target):
            success += 1
        else:
            failed += 1
    return CleanupResult(success, failed)
