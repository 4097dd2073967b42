"""Credentials of an account: add one, update one (connector.md §14.3). Secrets are never logged."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from connector.accounts import repository
from connector.accounts.errors import AccountConflict
from connector.accounts.service import get_account
from connector.credentials.schemas import (
    GATEWAY_MERCHANT_ID,
    CredentialCreate,
    CredentialPatch,
    WorldpayCredentialsCheck,
    check_credentials_shape,
)
from connector.credentials.state import (
    CredentialState,
    entered_state,
    initial_state,
    new_credential,
    transition_credential,
)
from connector.errors import BadRequest, ConnectorError, NotFound
from connector.gateways import registry
from connector.gateways.base import GatewayError
from connector.gateways.worldpay.adapter import MerchantCredentials, WorldpayGateway
from connector.models import GatewayAccount, GatewayAccountCredential
from pay_common.json_input import is_ascii_digits
from pay_common.logging import get_logger

logger = get_logger(__name__)


class WorldpayCheckFailed(ConnectorError):
    """Worldpay could not be asked (unreachable, timed out, unexpected answer): 502, not "invalid"."""

    status_code = 502

    def __init__(self) -> None:
        super().__init__("Worldpay returned an unexpected response when validating credentials")


async def create_credential(
    session: AsyncSession, account_id: str, request: CredentialCreate
) -> GatewayAccountCredential:
    account = await get_account(session, account_id, for_update=True)
    existing = await repository.credentials_of(session, account.id)
    state = initial_state(has_secrets=bool(request.credentials), first=not existing)
    credential = new_credential(
        state, account_id=account.id, provider=request.payment_provider, secrets=request.credentials
    )
    session.add(credential)
    await session.flush()
    await session.refresh(credential)
    logger.info(
        "credentials.created",
        gateway_account_id=account.id,
        credential_external_id=credential.external_id,
        payment_provider=request.payment_provider,
        state=state,
    )
    return credential


async def get_credential(
    session: AsyncSession, account: GatewayAccount, credential_id: str
) -> GatewayAccountCredential:
    credential = None
    if is_ascii_digits(credential_id) and int(credential_id) < 2**63:
        credential = await repository.lock_credential(session, account.id, int(credential_id))
    if credential is None:
        raise NotFound(
            f"Gateway account credentials with id [{credential_id}] not found for account [{account.id}]"
        )
    return credential


async def patch_credential(
    session: AsyncSession,
    account: GatewayAccount,
    credential: GatewayAccountCredential,
    patches: list[CredentialPatch],
) -> GatewayAccountCredential:
    credentials: dict[str, Any] = dict(credential.credentials)
    touched_credentials = False
    for patch in patches:
        if patch.path == "credentials":
            credentials |= patch.value
            touched_credentials = True
        elif patch.path.startswith("credentials/worldpay/"):
            credentials[patch.path.rsplit("/", 1)[1]] = patch.value
            touched_credentials = True
        elif patch.path == GATEWAY_MERCHANT_ID:
            if not credentials:
                raise BadRequest("Account credentials are required to set a Gateway Merchant ID")
            credentials["gateway_merchant_id"] = patch.value
        elif patch.path == "state":
            if credential.state not in ("ENTERED", "VERIFIED_WITH_LIVE_PAYMENT"):
                raise AccountConflict(
                    f"Credentials in state [{credential.state}] cannot become VERIFIED_WITH_LIVE_PAYMENT"
                )
            transition_credential(credential, CredentialState(patch.value))
        else:
            credential.last_updated_by_user_external_id = patch.value
    if touched_credentials or credentials != credential.credentials:
        check_credentials_shape(credential.payment_provider, credentials)
    credential.credentials = credentials
    if touched_credentials and credential.state == "CREATED" and _may_leave_created(account, credential):
        others = [c for c in await repository.credentials_of(session, account.id) if c.id != credential.id]
        transition_credential(credential, entered_state(alone=not others))
    credential.version += 1
    await session.flush()
    logger.info(
        "credentials.updated",
        gateway_account_id=account.id,
        credential_external_id=credential.external_id,
        paths=[p.path for p in patches],
        state=credential.state,
    )
    return credential


def _may_leave_created(account: GatewayAccount, credential: GatewayAccountCredential) -> bool:
    # Live Worldpay needs MOTO or 3DS Flex credentials; 3DS Flex is not stored yet, so MOTO only.
    if credential.payment_provider == "worldpay" and account.type == "LIVE":
        return account.allow_moto
    return True


async def check_worldpay_credentials(
    session: AsyncSession, account_id: str, request: WorldpayCredentialsCheck
) -> bool:
    """``POST .../worldpay/check-credentials``: whether Worldpay accepts these credentials.

    Nothing is stored. The gateway is called after the account has been read (no lock held).
    """
    account = await get_account(session, account_id)
    credentials = await repository.credentials_of(session, account.id)
    if not any(c.payment_provider == "worldpay" for c in credentials):
        raise NotFound(f"Gateway account with id {account_id} is not a Worldpay account")
    await session.commit()
    gateway = registry.get_gateway("worldpay")
    if not isinstance(gateway, WorldpayGateway):  # pragma: no cover - a test double without the check
        raise NotFound("Worldpay is not configured")
    try:
        valid = await gateway.check_credentials(
            MerchantCredentials(request.merchant_id, request.username, request.password)
        )
    except GatewayError as exc:
        logger.warning("credentials.worldpay_check_failed", gateway_account_id=account.id, error=exc.message)
        raise WorldpayCheckFailed() from None
    logger.info("credentials.worldpay_checked", gateway_account_id=account.id, valid=valid)
    return valid
