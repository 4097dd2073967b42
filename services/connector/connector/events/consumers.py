"""Who receives the outbox's events: a small registry, and the external HTTP sink.

A consumer is an async callable taking a batch of messages (connector.md §12.1 format, oldest
first, of one payment or many, each payment's in order) and raising when it could not take them; the publisher then retries
the batch later, so each consumer sees every event at least once, in order per payment. The
webhooks and email features register their own consumers next to the sink.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import httpx
import orjson

from connector.config import Settings
from pay_common.logging import get_logger

logger = get_logger(__name__)

Message = dict[str, Any]
Consumer = Callable[[Sequence[Message]], Awaitable[None]]
SIGNATURE_HEADER = "Pay-Signature"
#: Events per request: with a payment view each (a few kB at most: a 2,000-character return URL,
#: metadata), a request stays well under the receiver's 1 MB body limit.
EVENTS_PER_REQUEST = 100


class ConsumerFailed(Exception):
    def __init__(self, name: str, cause: BaseException) -> None:
        super().__init__(f"event consumer {name!r} failed: {type(cause).__name__}: {cause}")
        self.name = name


class Consumers:
    """The consumers of one worker process, in registration order."""

    def __init__(self) -> None:
        self._consumers: dict[str, Consumer] = {}

    def register_consumer(self, name: str, consumer: Consumer) -> None:
        if name in self._consumers:
            raise ValueError(f"event consumer {name!r} is already registered")
        self._consumers[name] = consumer

    @property
    def names(self) -> list[str]:
        return list(self._consumers)

    async def deliver(self, messages: Sequence[Message]) -> None:
        """Give the batch to every consumer at once (they are independent); raise for the first
        that failed, once all have answered (those that took it get it again: at least once)."""
        names = list(self._consumers)
        outcomes = await asyncio.gather(
            *(self._consumers[name](messages) for name in names), return_exceptions=True
        )
        for name, outcome in zip(names, outcomes, strict=True):
            if isinstance(outcome, Exception):
                logger.warning("events.consumer_failed", consumer=name, error=type(outcome).__name__)
                raise ConsumerFailed(name, outcome) from outcome
            if isinstance(outcome, BaseException):
                raise outcome


def sign(secret: bytes, body: bytes) -> str:
    """Hex HMAC-SHA256 of the body, as the receiver recomputes it to trust the batch."""
    return hmac.new(secret, body, hashlib.sha256).hexdigest()


#: External ids of payments → their API views (connector.md §4.3), for a sink that sends them.
PaymentViews = Callable[[Sequence[str]], Awaitable[dict[str, dict[str, Any]]]]


def payment_of(message: Message) -> str | None:
    """The payment an event is about: its own resource, or the parent of a refund or dispute."""
    if message.get("parent_resource_external_id"):
        return str(message["parent_resource_external_id"])
    if message.get("resource_type") == "payment":
        return str(message["resource_external_id"])
    return None


class HttpSink:
    """POST ``{"events": [...]}`` to a URL, signed in the ``Pay-Signature`` header; 2xx means taken.

    A ledger or a data warehouse plugs in here: an HTTP endpoint that verifies the signature,
    stores the events keyed on (resource_external_id, event_type, timestamp) to absorb the
    at-least-once repeats, and answers 2xx only once they are stored.

    With ``payment_views``, the body also carries ``"payments"``: each payment the batch is
    about, by external id, as ``GET /v1/api/accounts/{id}/charges/{id}`` shows it now (without
    next links). The webhooks service builds its messages from them instead of reading each
    payment back (docs/benchmarks.md, "Webhooks"): five queries per batch, not per payment.
    """

    def __init__(
        self, client: httpx.AsyncClient, url: str, secret: bytes, payment_views: PaymentViews | None = None
    ) -> None:
        self._client, self._url, self._secret = client, url, secret
        self._payment_views = payment_views

    async def __call__(self, messages: Sequence[Message]) -> None:
        # In order, one request at a time: a payment's events keep their order, and a failure
        # has the publisher send the whole batch again (the receiver absorbs the repeats).
        for start in range(0, len(messages), EVENTS_PER_REQUEST):
            await self._post(messages[start : start + EVENTS_PER_REQUEST])

    async def _post(self, messages: Sequence[Message]) -> None:
        batch: dict[str, Any] = {"events": list(messages)}
        if self._payment_views is not None:
            wanted = [payment for payment in map(payment_of, messages) if payment is not None]
            batch["payments"] = await self._payment_views(wanted)
        body = orjson.dumps(batch)
        response = await self._client.post(
            self._url,
            content=body,
            headers={"Content-Type": "application/json", SIGNATURE_HEADER: sign(self._secret, body)},
        )
        response.raise_for_status()


def build_consumers(
    settings: Settings, client: httpx.AsyncClient, payment_views: PaymentViews | None = None
) -> Consumers:
    """Every consumer this deployment configures (each only when its URL is set)."""
    consumers = Consumers()
    if settings.event_sink_url:
        secret = settings.event_sink_secret.get_secret_value() if settings.event_sink_secret else ""
        consumers.register_consumer("event-sink", HttpSink(client, settings.event_sink_url, secret.encode()))
    if settings.webhooks_events_url:
        # The webhooks service takes the same signed batches, with the payments (docs/webhooks.md).
        webhooks_secret = settings.webhooks_events_secret.get_secret_value().encode()
        consumers.register_consumer(
            "webhooks", HttpSink(client, settings.webhooks_events_url, webhooks_secret, payment_views)
        )
    return consumers
