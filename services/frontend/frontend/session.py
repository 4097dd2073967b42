"""Which charges this browser may act on (fact sheet B5).

The session lives entirely in a signed cookie (Starlette's ``SessionMiddleware``, itsdangerous,
HttpOnly, SameSite=Lax, Secure over https). It holds the CSRF secret and, per charge,
``[created_epoch, accessed_epoch, terminal]``. At most 10 charges are kept; the eviction order is
pay-frontend's: older than 24 h, then terminal, then older than 90 min, then any; least recently
accessed first within each rule.
"""

from __future__ import annotations

import time
from collections.abc import Callable, MutableMapping
from typing import Any

MAX_CHARGES = 10
_DAY = 24 * 3600
_NINETY_MINUTES = 90 * 60

Session = MutableMapping[str, Any]


def _charges(session: Session) -> dict[str, list[int]]:
    charges = session.get("charges")
    if not isinstance(charges, dict):
        charges = {}
        session["charges"] = charges
    return charges


def has_charge(session: Session, charge_id: str) -> bool:
    return charge_id in _charges(session)


def touch(session: Session, charge_id: str) -> None:
    entry = _charges(session).get(charge_id)
    if entry is not None:
        entry[1] = int(time.time())
        session["charges"] = session["charges"]  # mark modified


def bind(session: Session, charge_id: str) -> None:
    """Record that this browser exchanged a token for ``charge_id``; evicts one charge if full."""
    charges = _charges(session)
    if charge_id not in charges and len(charges) >= MAX_CHARGES:
        evicted = _eviction_candidate(charges, int(time.time()))
        charges.pop(evicted, None)
    now = int(time.time())
    charges[charge_id] = [now, now, 0]
    session["charges"] = charges


def mark_terminal(session: Session, charge_id: str) -> None:
    entry = _charges(session).get(charge_id)
    if entry is not None:
        entry[2] = 1
        session["charges"] = session["charges"]


def forget(session: Session, charge_id: str) -> None:
    _charges(session).pop(charge_id, None)
    session["charges"] = session["charges"]


def _eviction_candidate(charges: dict[str, list[int]], now: int) -> str:
    rules: list[Callable[[list[int]], bool]] = [
        lambda entry: now - entry[0] > _DAY,
        lambda entry: bool(entry[2]),
        lambda entry: now - entry[0] > _NINETY_MINUTES,
        lambda _entry: True,
    ]
    for rule in rules:
        matching = [charge_id for charge_id, entry in charges.items() if rule(entry)]
        if matching:
            return min(matching, key=lambda charge_id: charges[charge_id][1])
    raise LookupError("no charge to evict")  # unreachable: the last rule matches any charge
