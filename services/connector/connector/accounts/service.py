"""Gateway-account use cases (connector.md §14).

Reusable by other features (keep these names stable):

- :func:`get_account` loads an account by id or raises the seeds' 404
  (``The gateway account id '<id>' does not exist``);
- :func:`current_credential` picks the credential charges use (connector.md §4.2 step 5):
  the only one, else the ``ACTIVE`` one with the latest ``active_start_date``.

Services ``flush()`` and never commit; the request's unit of work commits.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from connector.accounts import repository
from connector.accounts.errors import (
    AccountConflict,
    AccountNotFound,
    FieldsInvalidSize,
    FieldsMissing,
    NotAStripeAccount,
)
from connector.accounts.repository import AccountFilters
from connector.accounts.schemas import (
    GATEWAY_MERCHANT_ID_PATH,
    MAX_SERVICE_NAME,
    NOTIFICATION_TYPES,
    PATH_COLUMNS,
    WORLDPAY_PATHS,
    AccountCreate,
    PatchOp,
    ProviderFilters,
    account_view,
    as_bool,
    parse_account_id,
    provider_account_ids,
)
from connector.credentials.state import CredentialState, entered_state, new_credential, transition_credential
from connector.errors import BadRequest, NotFound
from connector.models import EmailNotification, GatewayAccount, GatewayAccountCredential
from pay_common.db.session import unit_of_work
from pay_common.ids import new_uuid_hex
from pay_common.logging import get_logger

logger = get_logger(__name__)

_EPOCH = datetime.min


# ---------------------------------------------------------------------------- shared helpers


async def get_account(
    session: AsyncSession,
    account_id: int | str,
    *,
    for_update: bool = False,
    not_found: Callable[[object], NotFound] = AccountNotFound,
) -> GatewayAccount:
    """The account with this id, or a 404: by default the one the seeds show for unknown accounts.

    ``account_id`` may be the raw path segment (``schemas.parse_account_id``: anything that is not
    a positive number is unknown). ``not_found`` is the 404 of the caller's contract (the charge,
    refund and report routes say ``Gateway Account with id [x] not found.``).
    """
    numeric = account_id if isinstance(account_id, int) else parse_account_id(account_id)
    account = await repository.get_by_id(session, numeric, for_update=for_update) if numeric else None
    if account is None:
        raise not_found(account_id)
    return account


async def get_account_by_external_id(session: AsyncSession, external_id: str) -> GatewayAccount:
    account = await repository.get_by_external_id(session, external_id)
    if account is None:
        raise AccountNotFound(external_id)
    return account


def pick_current_credential(
    credentials: Sequence[GatewayAccountCredential],
) -> GatewayAccountCredential | None:
    """The only credential, else the ACTIVE one started most recently (None when there is none)."""
    if len(credentials) == 1:
        return credentials[0]
    active = [c for c in credentials if c.state == "ACTIVE"]
    if not active:
        return None
    return max(
        active,
        key=lambda c: (c.active_start_date is not None, _naive(c.active_start_date), c.id),
    )


def _naive(value: datetime | None) -> datetime:
    return value.replace(tzinfo=None) if value is not None else _EPOCH


async def current_credential(
    session: AsyncSession, account: GatewayAccount
) -> GatewayAccountCredential | None:
    """The credential the account's payments use (connector.md §4.2 step 5)."""
    return pick_current_credential(await repository.credentials_of(session, account.id))


def _provider_of(credentials: Sequence[GatewayAccountCredential]) -> str | None:
    current = pick_current_credential(credentials)
    if current is not None:
        return current.payment_provider
    # During a PSP switch no single credential is current; the newest one names the provider.
    return credentials[-1].payment_provider if credentials else None


async def get_service_account(session: AsyncSession, service_id: str, account_type: str) -> GatewayAccount:
    """The service's account of this type (``/v1/api/service/{serviceId}/account/{type}``)."""
    if account_type.lower() not in ("test", "live"):
        raise BadRequest("Parameter [type] must be 'test' or 'live'")
    matches = [
        a for a in await repository.service_accounts(session, service_id) if a.type == account_type.upper()
    ]
    if not matches:
        raise NotFound(
            f"Gateway account not found for service ID [{service_id}] and account type [{account_type}]"
        )
    # Several test accounts may exist for one service; the newest is the one in use.
    return max(matches, key=lambda a: a.id)


async def service_account_id(
    sessionmaker: async_sessionmaker[AsyncSession], service_id: str, account_type: str
) -> int:
    """The id of :func:`get_service_account`, read in a unit of work of its own.

    For routes that then call a gateway: no transaction stays open across the call.
    """
    async with unit_of_work(sessionmaker) as session:
        return (await get_service_account(session, service_id, account_type)).id


# ---------------------------------------------------------------------------- create


async def create_account(
    session: AsyncSession, request: AccountCreate, *, degatewayification: bool = False
) -> tuple[GatewayAccount, str]:
    """Create an account, its first credential, both email rows and the non-3DS card types.

    Every flag defaults to false, Apple Pay on sandbox too (seed 000; decisions.md). The
    one-live-account rules only apply to an account that belongs to a service.
    """
    if request.service_id is not None:
        await repository.lock_service(session, request.service_id)
        await _check_service_rules(session, request.service_id, request, degatewayification)
    flags = dict(request.flags)
    account = GatewayAccount(
        external_id=new_uuid_hex(),
        type=request.type,
        service_id=request.service_id,
        service_name=request.service_name,
        description=request.description,
        analytics_id=request.analytics_id,
        integration_version_3ds=1,
        **flags,
    )
    session.add(account)
    await session.flush()
    state = _initial_state(request)
    session.add(
        new_credential(
            CredentialState(state),
            account_id=account.id,
            provider=request.payment_provider,
            secrets=request.credentials,
        )
    )
    for kind in NOTIFICATION_TYPES:
        session.add(EmailNotification(account_id=account.id, type=kind, enabled=True, version=1))
    await repository.replace_accepted_card_types(
        session, account.id, await repository.non_3ds_card_type_ids(session)
    )
    await session.flush()
    await session.refresh(account)
    logger.info(
        "account.created",
        gateway_account_id=account.id,
        payment_provider=request.payment_provider,
        type=request.type,
        credential_state=state,
    )
    return account, request.payment_provider


def _initial_state(request: AccountCreate) -> str:
    if request.payment_provider == "sandbox":
        return "ACTIVE"
    if request.payment_provider == "stripe":
        return "ACTIVE" if request.type == "TEST" else "CREATED"
    # A new account's credential is always its first one.
    return "ACTIVE" if request.credentials else "CREATED"


async def _check_service_rules(
    session: AsyncSession, service_id: str, request: AccountCreate, degatewayification: bool
) -> None:
    existing = await repository.service_accounts(session, service_id)
    same_type = [a for a in existing if a.type == request.type]
    if request.type == "LIVE" and same_type:
        raise AccountConflict(f"Service [{service_id}] already has a live gateway account")
    if degatewayification and same_type:
        raise AccountConflict(f"Service [{service_id}] already has a {request.type.lower()} gateway account")
    if request.payment_provider == "stripe" and request.type == "TEST" and same_type:
        credentials = await repository.credentials_by_account(session, [a.id for a in same_type])
        if any(_provider_of(credentials.get(a.id, [])) == "stripe" for a in same_type):
            raise AccountConflict(f"Service [{service_id}] already has a Stripe test gateway account")


# ---------------------------------------------------------------------------- read


async def account_views(
    session: AsyncSession,
    accounts: Sequence[GatewayAccount],
    *,
    base_url: str,
    frontend: bool = False,
    provider_filters: ProviderFilters | None = None,
) -> list[dict[str, Any]]:
    ids = [a.id for a in accounts]
    credentials = await repository.credentials_by_account(session, ids)
    notifications = await repository.notifications_by_account(session, ids)
    views = []
    for account in accounts:
        own = credentials.get(account.id, [])
        if provider_filters is not None and not _matches(own, provider_filters):
            continue
        views.append(
            account_view(
                account,
                current=pick_current_credential(own) or (own[-1] if own else None),
                credentials=own,
                notifications=notifications.get(account.id, {}),
                base_url=base_url,
                frontend=frontend,
            )
        )
    return views


def _matches(credentials: Sequence[GatewayAccountCredential], filters: ProviderFilters) -> bool:
    if filters.payment_provider is not None and _provider_of(credentials) != filters.payment_provider:
        return False
    if filters.payment_provider_account_id is not None:
        return any(filters.payment_provider_account_id in provider_account_ids(c) for c in credentials)
    return True


async def search_accounts(
    session: AsyncSession,
    columns: Mapping[str, Any],
    provider_filters: ProviderFilters,
    *,
    base_url: str,
    frontend: bool = False,
) -> list[dict[str, Any]]:
    accounts = await repository.search(session, AccountFilters(**columns))
    return await account_views(
        session, accounts, base_url=base_url, frontend=frontend, provider_filters=provider_filters
    )


# ---------------------------------------------------------------------------- PATCH


async def patch_account(session: AsyncSession, account_id: str, patch: PatchOp) -> None:
    account = await get_account(session, account_id, for_update=True)
    if patch.path in WORLDPAY_PATHS:
        await _require_worldpay_3ds_flex(session, account, patch.path)
    elif patch.path == "provider_switch_enabled":
        if not any(c.state == "ACTIVE" for c in await repository.credentials_of(session, account.id)):
            raise BadRequest(f"Account {account.id} has no ACTIVE credential, so it cannot switch provider")
    elif patch.path == GATEWAY_MERCHANT_ID_PATH:
        await _set_gateway_merchant_id(session, account, patch.value)
        return
    if patch.path == "notify_settings":
        account.notify_settings = patch.value if patch.op == "replace" else None
    else:
        for column in PATH_COLUMNS.get(patch.path, (patch.path,)):
            setattr(account, column, patch.value)
    if patch.path == "disabled" and patch.value is False:
        account.disabled_reason = None
    account.version += 1
    await session.flush()
    logger.info("account.patched", gateway_account_id=account.id, path=patch.path, op=patch.op)


async def _require_worldpay_3ds_flex(session: AsyncSession, account: GatewayAccount, path: str) -> None:
    credentials = await repository.credentials_of(session, account.id)
    if _provider_of(credentials) != "worldpay":
        raise BadRequest(f"Gateway account {account.id} is not worldpay gateway account for path [{path}].")
    # 3DS Flex credentials are not stored by this implementation yet, so no account has them.
    raise BadRequest(f"Gateway account {account.id} has no Worldpay 3DS Flex credentials for path [{path}].")


async def _set_gateway_merchant_id(session: AsyncSession, account: GatewayAccount, value: str) -> None:
    credentials = await repository.credentials_of(session, account.id)
    current = pick_current_credential(credentials)
    if current is None or current.payment_provider != "worldpay":
        raise BadRequest(
            f"Gateway account {account.id} is not worldpay gateway account for path [{GATEWAY_MERCHANT_ID_PATH}]."
        )
    if not current.credentials:
        raise BadRequest(
            f"Account credentials are required to set a Gateway Merchant ID for account {account.id}"
        )
    current.credentials = {**current.credentials, "gateway_merchant_id": value}
    current.version += 1
    await session.flush()


# ---------------------------------------------------------------------------- small updates


def _string_field(body: Mapping[str, Any], name: str) -> str | None:
    value = body.get(name)
    if value is not None and not isinstance(value, str):
        raise BadRequest(f"Field [{name}] must be a string")
    return value


async def update_description_analytics(
    session: AsyncSession, account_id: str, body: Mapping[str, Any]
) -> None:
    if "description" not in body and "analytics_id" not in body:
        raise FieldsMissing(["description", "analytics_id"])
    description = _string_field(body, "description")
    analytics_id = _string_field(body, "analytics_id")
    account = await get_account(session, account_id, for_update=True)
    if description is not None:
        account.description = description
    if analytics_id is not None:
        account.analytics_id = analytics_id
    await session.flush()


async def update_service_name(session: AsyncSession, account_id: str, body: Mapping[str, Any]) -> None:
    if "service_name" not in body:
        raise FieldsMissing(["service_name"])
    name = _string_field(body, "service_name")
    if name is None:
        raise FieldsMissing(["service_name"])
    if len(name) > MAX_SERVICE_NAME:
        raise FieldsInvalidSize(["service_name"])
    account = await get_account(session, account_id, for_update=True)
    account.service_name = name
    await session.flush()


async def toggle_3ds(session: AsyncSession, account_id: str, body: Mapping[str, Any]) -> None:
    if "toggle_3ds" not in body:
        raise FieldsMissing(["toggle_3ds"])
    wanted = as_bool(body["toggle_3ds"])
    if wanted is None:
        raise BadRequest("Field [toggle_3ds] must be true or false")
    account = await get_account(session, account_id, for_update=True)
    if not wanted and await repository.any_accepted_requires_3ds(session, account.id):
        raise AccountConflict(
            "3DS cannot be turned off while the account accepts a card type that requires 3DS"
        )
    account.requires_3ds = wanted
    await session.flush()


# ---------------------------------------------------------------------------- stripe


STRIPE_SETUP_TASKS = (
    "bank_account",
    "responsible_person",
    "director",
    "vat_number",
    "company_number",
    "organisation_details",
    "government_entity_document",
)


async def _stripe_account(
    session: AsyncSession, account_id: str
) -> tuple[GatewayAccount, GatewayAccountCredential | None]:
    account = await get_account(session, account_id)
    credentials = await repository.credentials_of(session, account.id)
    if _provider_of(credentials) != "stripe":
        raise NotAStripeAccount(account.id)
    return account, pick_current_credential(credentials)


async def stripe_setup(session: AsyncSession, account_id: str) -> dict[str, bool]:
    account, _ = await _stripe_account(session, account_id)
    done = await repository.stripe_setup_tasks(session, account.id)
    return {task: task in done for task in STRIPE_SETUP_TASKS}


async def update_stripe_setup(
    session: AsyncSession, account_id: str, changes: Sequence[tuple[str, bool]]
) -> None:
    account, _ = await _stripe_account(session, account_id)
    for task, done in changes:
        await repository.set_stripe_setup_task(session, account.id, task, done)
    await session.flush()


async def stripe_account_id(session: AsyncSession, account_id: str) -> str:
    account, current = await _stripe_account(session, account_id)
    value = current.credentials.get("stripe_account_id") if current else None
    if not isinstance(value, str) or not value:
        raise NotFound(f"Gateway account with id [{account.id}] has no Stripe account credentials")
    return value


# ---------------------------------------------------------------------------- email notifications

EMAIL_PATCH_PATHS = {
    "/payment_confirmed/enabled": ("PAYMENT_CONFIRMED", "enabled"),
    "/payment_confirmed/template_body": ("PAYMENT_CONFIRMED", "template_body"),
    "/refund_issued/enabled": ("REFUND_ISSUED", "enabled"),
    "/refund_issued/template_body": ("REFUND_ISSUED", "template_body"),
    # The older form in seeds 000/001: {"op": "replace", "path": "enabled", "value": true}.
    "enabled": ("PAYMENT_CONFIRMED", "enabled"),
}


async def _notification_row(session: AsyncSession, account: GatewayAccount, kind: str) -> EmailNotification:
    row = await repository.notification(session, account.id, kind)
    if row is None:
        # connector.md §14.4: a missing row is created disabled before it is changed.
        row = EmailNotification(account_id=account.id, type=kind, enabled=False, version=1)
        session.add(row)
        await session.flush()
    return row


async def email_notification(session: AsyncSession, account_id: str) -> dict[str, Any]:
    account = await get_account(session, account_id)
    row = await repository.notification(session, account.id, "PAYMENT_CONFIRMED")
    if row is None:
        return {"id": None, "version": 1, "enabled": False, "template_body": None}
    return {"id": row.id, "version": row.version, "enabled": row.enabled, "template_body": row.template_body}


async def set_custom_email_text(session: AsyncSession, account_id: str, body: Mapping[str, Any]) -> None:
    if body.get("custom-email-text") is None:
        raise FieldsMissing(["custom-email-text"])
    text = body["custom-email-text"]
    if not isinstance(text, str):
        raise BadRequest("Field [custom-email-text] must be a string")
    account = await get_account(session, account_id)
    row = await _notification_row(session, account, "PAYMENT_CONFIRMED")
    row.template_body = text
    row.version += 1
    await session.flush()


def parse_email_patch(body: Any) -> tuple[str, str, bool | str]:
    """Validate an email-notification PATCH → (notification type, column, value)."""
    if not isinstance(body, dict):
        raise BadRequest('The request body must be a single JSON object {"op", "path", "value"}')
    missing = [key for key in ("op", "path") if not isinstance(body.get(key), str) or not body[key]]
    if missing:
        raise FieldsMissing(missing)
    path, op = body["path"], body["op"]
    if path not in EMAIL_PATCH_PATHS:
        raise BadRequest(f"Path [{path}] is not valid; expected one of [{', '.join(EMAIL_PATCH_PATHS)}]")
    if op != "replace":
        raise BadRequest(f"Operation [{op}] is not valid for path [{path}]")
    kind, column = EMAIL_PATCH_PATHS[path]
    if body.get("value") is None:
        raise FieldsMissing([column])
    value = body["value"]
    if column == "enabled":
        parsed = as_bool(value)
        if parsed is None:
            raise BadRequest(f"Value [{value}] must be of type boolean for path [{path}]")
        return kind, column, parsed
    if not isinstance(value, str):
        raise BadRequest(f"Value [{value}] is not valid for path [{path}]")
    return kind, column, value


async def patch_email_notification(session: AsyncSession, account_id: str, body: Any) -> None:
    kind, column, value = parse_email_patch(body)
    account = await get_account(session, account_id)
    row = await _notification_row(session, account, kind)
    setattr(row, column, value)
    row.version += 1
    await session.flush()


# ---------------------------------------------------------------------------- credentials (frontend PUT)

#: Fields ``PUT /v1/frontend/accounts/{id}`` needs, per provider (seed 000).
REQUIRED_CREDENTIALS: dict[str, tuple[str, ...]] = {
    "sandbox": (),
    "worldpay": ("merchant_id", "username", "password"),
    "smartpay": ("username", "password"),
    "epdq": ("merchant_id", "username", "password", "sha_in_passphrase", "sha_out_passphrase"),
    "stripe": ("stripe_account_id",),
}


def _credential_to_update(credentials: Sequence[GatewayAccountCredential]) -> GatewayAccountCredential | None:
    current = pick_current_credential(credentials)
    if current is not None:
        return current
    pending = [c for c in credentials if c.state in ("CREATED", "ENTERED")]
    return pending[-1] if pending else None


async def put_credentials(session: AsyncSession, account_id: str, body: Mapping[str, Any]) -> None:
    """Store provider credentials; a CREATED credential becomes ACTIVE (only one) or ENTERED."""
    account = await get_account(session, account_id, for_update=True)
    credentials = await repository.credentials_of(session, account.id)
    target = _credential_to_update(credentials)
    if target is None:
        raise AccountConflict(f"Gateway account {account.id} has no credential that can be updated")
    payload = body.get("credentials", body)
    if not isinstance(payload, dict):
        raise BadRequest("Field [credentials] must be an object")
    required = REQUIRED_CREDENTIALS.get(target.payment_provider, ())
    missing = [key for key in required if not isinstance(payload.get(key), str) or not payload[key].strip()]
    if missing:
        raise FieldsMissing(missing)
    target.credentials = _merge_credentials(target, {key: payload[key] for key in required})
    if target.state == CredentialState.CREATED:
        transition_credential(target, entered_state(alone=len(credentials) == 1))
    target.version += 1
    await session.flush()
    # Never log the credentials themselves.
    logger.info(
        "account.credentials_updated",
        gateway_account_id=account.id,
        credential_external_id=target.external_id,
        state=target.state,
    )


def _merge_credentials(credential: GatewayAccountCredential, given: dict[str, str]) -> dict[str, Any]:
    if credential.payment_provider == "worldpay":
        # Stored in today's nested shape (connector.md §14.3) so the Worldpay gateway can use it.
        one_off = {
            "merchant_code": given["merchant_id"],
            "username": given["username"],
            "password": given["password"],
        }
        return {**credential.credentials, "one_off_customer_initiated": one_off}
    return {**credential.credentials, **given}
