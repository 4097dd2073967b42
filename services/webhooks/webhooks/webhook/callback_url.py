"""Callback URL rules (webhooks-and-payment-pages.md §A4), checked on create, on PATCH and,
for live webhooks, again before each delivery.

``strict`` policy (everywhere but development): https only and a domain name as host, as
upstream. Beyond upstream, a host that resolves to a private, loopback or otherwise
non-public address is refused; the delivery client checks the address it actually connects
to as well (:mod:`webhooks.delivery.sender`), so a name re-pointed after the check (DNS
rebinding) still cannot reach the inside.
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
from collections.abc import Iterable
from urllib.parse import urlsplit

from webhooks.config import CallbackUrlPolicy
from webhooks.resolver import Resolver
from webhooks.webhook.errors import CallbackUrlError

_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$", re.IGNORECASE)

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def is_public_address(address: IpAddress) -> bool:
    """True for a globally routable unicast address (never loopback, private, link-local...)."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return is_public_address(address.ipv4_mapped)
    return address.is_global and not address.is_multicast


def _ip_literal(host: str) -> IpAddress | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def _is_domain_name(host: str) -> bool:
    labels = host.rstrip(".").split(".")
    return all(_LABEL.match(label) for label in labels) and not labels[-1].isdigit()


async def resolves_only_to_public_addresses(
    host: str, port: int, resolver: Resolver, *, timeout: float
) -> bool:
    """False when the name resolves to any non-public address; True when it cannot be resolved
    now (it is checked again, on the address actually used, at every delivery)."""
    try:
        addresses = await asyncio.wait_for(resolver(host, port), timeout)
    except (OSError, TimeoutError, UnicodeError):
        return True
    return all(is_public_address(ipaddress.ip_address(address)) for address in addresses)


def host_of(callback_url: str) -> str:
    """The lower-case host of a URL that passed :func:`check_callback_url` (no trailing dot)."""
    return (urlsplit(callback_url).hostname or "").rstrip(".").lower()


def on_allow_list(host: str, allow_domains: Iterable[str]) -> bool:
    """The host is an allowed domain or any-depth subdomain of one (case-insensitive)."""
    host = host.rstrip(".").lower()
    return any(host == domain or host.endswith("." + domain) for domain in allow_domains)


def check_callback_url(
    callback_url: str, *, live: bool, policy: CallbackUrlPolicy, allow_domains: Iterable[str]
) -> None:
    """Raise :class:`CallbackUrlError` with upstream's identifier and message, else return."""
    try:
        parts = urlsplit(callback_url)
        host = parts.hostname
        parts.port  # noqa: B018  (raises ValueError for a malformed port)
    except ValueError as exc:
        raise CallbackUrlError("CALLBACK_URL_MALFORMED", "Callback URL is not a valid URL") from exc
    if not parts.scheme or not parts.netloc:
        raise CallbackUrlError("CALLBACK_URL_MALFORMED", "Callback URL is not a valid URL")
    if not host:
        raise CallbackUrlError("CALLBACK_URL_MALFORMED", "Callback URL must contain a host")
    scheme = parts.scheme.lower()
    if policy == "development":
        if scheme not in ("http", "https"):
            raise CallbackUrlError(
                "CALLBACK_URL_PROTOCOL_NOT_SUPPORTED", "Callback URL must use HTTPS protocol"
            )
        return
    if scheme != "https":
        raise CallbackUrlError("CALLBACK_URL_PROTOCOL_NOT_SUPPORTED", "Callback URL must use HTTPS protocol")
    if _ip_literal(host) is not None or not _is_domain_name(host):
        raise CallbackUrlError("CALLBACK_URL_MALFORMED", "Callback URL host must be a domain name")
    if live and not on_allow_list(host, allow_domains):
        raise CallbackUrlError(
            "CALLBACK_URL_NOT_ON_ALLOW_LIST", f"{host_of(callback_url)} is not in the allow list"
        )
