"""Decline reasons of agreement payments, and whether the service may try again (connector.md §11.2).

Adapters map their provider's decline codes onto these names (``AuthorisationResult.rejection_reason``);
the charge stores ``can_retry`` from :func:`can_retry`, and a decline that cannot be retried ends
the agreement's payment instrument (``agreements.service.record_agreement_decline``).
"""

from __future__ import annotations

#: Declines after which the same instrument may succeed later (upstream's retriable list).
RETRIABLE = frozenset(
    {
        "AUTHENTICATION_REQUESTED",
        "CARD_BLOCKED_OR_INVALID_OR_NONEXISTENT",
        "DO_NOT_HONOUR",
        "EXCEEDS_WITHDRAWAL_AMOUNT_LIMIT",
        "EXCEEDS_WITHDRAWAL_COUNT_LIMIT",
        "GENERIC_DECLINE",
        "INSUFFICIENT_FUNDS",
        "INVALID_ACCOUNT_NUMBER",
        "INVALID_AMOUNT",
        "INVALID_MERCHANT",
        "ISSUER_TEMPORARILY_UNAVAILABLE",
        "MASTERCARD_LIFECYCLE_REASON_CODE",
        "MASTERCARD_POLICY_REASON_CODE",
        "VISA_PERMANENT_DECLINE_REASON_CODE",
        "REENTER_TRANSACTION",
        "REFER_TO_CARD_ISSUER",
        "SUSPECTED_FRAUD",
        "TRY_AGAIN_LATER",
        "TRY_ANOTHER_CARD",
        "UNCATEGORISED",
        "CANCELLED",
    }
)

#: What the sandbox answers for every decline (connector.md §6.1): never worth retrying.
DO_NOT_RETRY = "DO_NOT_RETRY"
#: A decline whose reason the provider did not give: treated as retriable, as upstream does.
UNCATEGORISED = "UNCATEGORISED"


def can_retry(reason: str | None) -> bool:
    """True when an agreement payment declined for ``reason`` may be tried again."""
    return (reason or UNCATEGORISED) in RETRIABLE
