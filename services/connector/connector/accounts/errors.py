"""Errors of the accounts feature, with the exact messages of the seeds and connector.md §14."""

from __future__ import annotations

from collections.abc import Iterable

from connector.errors import BadRequest, Conflict, NotFound, Unprocessable


class AccountNotFound(NotFound):
    """404 for an account id that does not exist (seed 000: ``The gateway account id '111' does not exist``)."""

    def __init__(self, account_id: object) -> None:
        super().__init__(f"The gateway account id '{account_id}' does not exist")


class GatewayAccountNotFound(NotFound):
    """404 of the routes under one account's charges, refunds, reports and telephone payments."""

    def __init__(self, account_id: object) -> None:
        super().__init__(f"Gateway Account with id [{account_id}] not found.")


class FieldsMissing(BadRequest):
    def __init__(self, fields: Iterable[str]) -> None:
        super().__init__(f"The following fields are missing: [{', '.join(fields)}]")


class FieldsInvalidSize(BadRequest):
    def __init__(self, fields: Iterable[str]) -> None:
        super().__init__(f"The size of a field(s) is invalid: [{', '.join(fields)}]")


class PatchInvalid(BadRequest):
    """A PATCH body that fails validation: 400 ``GENERIC`` with the list of messages."""


class AccountRequestInvalid(Unprocessable):
    """A create-account body that fails validation (422, as the original's bean validation)."""


class AccountConflict(Conflict):
    """The account cannot be created or changed in its current state."""


class NotAStripeAccount(NotFound):
    def __init__(self, account_id: int) -> None:
        super().__init__(f"Gateway account with id [{account_id}] is not a Stripe account")
