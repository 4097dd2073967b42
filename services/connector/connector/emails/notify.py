"""GOV.UK Notify, through its official client (``notifications-python-client``).

The client is synchronous (requests); a send runs in a worker thread, from a job, never in a
request. Its errors are sorted into "try again later" (Notify down, rate limited, a network
failure) and "this email will never go" (a bad key, template or address).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from notifications_python_client.errors import HTTPError
from notifications_python_client.notifications import NotificationsAPIClient


@dataclass(frozen=True)
class NotifyEmail:
    api_key: str
    template_id: str
    to: str
    personalisation: dict[str, Any]
    reference: str
    reply_to_id: str | None = None


class NotifyUnavailable(Exception):
    """Notify did not take the email now; the job tries again later."""


class NotifyRefused(Exception):
    """Notify answered that this email cannot be sent (a 4xx other than 429)."""


def _messages(errors: object) -> str:
    """Notify's ``errors`` list (``[{"error", "message"}]``) as one line of its messages."""
    if isinstance(errors, list):
        return "; ".join(str(e.get("message", e)) if isinstance(e, dict) else str(e) for e in errors)
    return str(errors)


def _send(email: NotifyEmail, base_url: str, timeout: float) -> str:
    client = NotificationsAPIClient(email.api_key, base_url=base_url, timeout=timeout)  # type: ignore[no-untyped-call]
    try:
        response = client.send_email_notification(  # type: ignore[no-untyped-call]
            email_address=email.to,
            template_id=email.template_id,
            personalisation=email.personalisation,
            reference=email.reference,
            email_reply_to_id=email.reply_to_id,
        )
    except HTTPError as exc:
        # Notify's error bodies name the problem, never echo the address back.
        detail = f"{exc.status_code} {_messages(exc.message)}"
        if exc.status_code == 429 or exc.status_code >= 500:
            raise NotifyUnavailable(detail) from exc
        raise NotifyRefused(detail) from exc
    except Exception as exc:  # requests' connection errors and timeouts, a malformed answer
        raise NotifyUnavailable(type(exc).__name__) from exc
    return str(response["id"])


async def send_email(email: NotifyEmail, *, base_url: str, timeout: float) -> str:
    """Notify's id of the notification it accepted."""
    return await asyncio.to_thread(_send, email, base_url, timeout)
