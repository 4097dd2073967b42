"""What the sandbox "provider" has done: its own record of authorisations, captures, voids, refunds.

A real provider keeps such a record on its side, which is what lets the connector ask it
(``query``) about a payment whose answer a crash lost, and what makes a retried call with the
same idempotency key a replay rather than a second capture or refund. The sandbox keeps it

* in memory, per adapter instance (tests read :attr:`SandboxLedger.entries`), and
* when ``path`` is given (``CONNECTOR_SANDBOX_LEDGER_PATH``), also in a JSON-lines file shared
  by every connector process and kept across restarts, as a provider's would be. The chaos
  script (``scripts/chaos.py``) checks the file against the database after ``kill -9``.

Writes to the file are one ``write`` of one line under an exclusive ``flock``, so processes
appending at once never interleave, and the replay check and the append are one step.
"""

from __future__ import annotations

import fcntl
import json
import os
from collections import Counter, OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

#: Charges remembered in memory; the oldest are forgotten first (the sandbox may run for weeks).
MEMORY_LIMIT = 50_000


@dataclass(frozen=True)
class Entry:
    """One call the sandbox answered. ``replay``: same idempotency key as an earlier call, no effect."""

    op: str  # authorise | authorise_3ds | capture | cancel | refund
    charge: str
    outcome: str
    key: str | None = None
    amount: int | None = None
    replay: bool = False


class SandboxLedger:
    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path) if path else None
        self._memory: OrderedDict[str, list[Entry]] = OrderedDict()

    @property
    def entries(self) -> list[Entry]:
        """Every entry this instance recorded (memory only), oldest first within each charge."""
        return [entry for entries in self._memory.values() for entry in entries]

    def record(self, entry: Entry) -> Entry:
        """Record ``entry``; the same operation with a key seen before for the charge is a replay."""
        with self._locked():
            earlier = self._entries_for(entry.charge)
            if entry.key is not None and any(e.op == entry.op and e.key == entry.key for e in earlier):
                entry = Entry(**{**asdict(entry), "replay": True})
            self._remember(entry)
            if self.path is not None:
                line = json.dumps(asdict(entry), separators=(",", ":")) + "\n"
                fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
                try:
                    os.write(fd, line.encode())
                finally:
                    os.close(fd)
        return entry

    def status_of(self, charge: str) -> str | None:
        """The provider's view of a charge's authorisation: the last authorisation outcome, or
        CANCELLED when a void came after it; None when the sandbox never saw the charge."""
        with self._locked():
            return _authorisation_status(self._entries_for(charge))

    def _entries_for(self, charge: str) -> list[Entry]:
        if self.path is None:
            return list(self._memory.get(charge, ()))
        return [entry for entry in read(self.path) if entry.charge == charge]

    def _remember(self, entry: Entry) -> None:
        self._memory.setdefault(entry.charge, []).append(entry)
        self._memory.move_to_end(entry.charge)
        while len(self._memory) > MEMORY_LIMIT:
            self._memory.popitem(last=False)

    @contextmanager
    def _locked(self) -> Iterator[None]:
        if self.path is None:
            yield
            return
        with open(self.path, "a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)


def read(path: str | Path) -> list[Entry]:
    """Every entry of a ledger file (missing file: none)."""
    try:
        text = Path(path).read_text()
    except FileNotFoundError:
        return []
    return [Entry(**json.loads(line)) for line in text.splitlines() if line.strip()]


def _authorisation_status(entries: list[Entry]) -> str | None:
    status = None
    for entry in entries:
        if entry.op in ("authorise", "authorise_3ds"):
            status = entry.outcome
        elif entry.op == "cancel" and not entry.replay:
            status = "CANCELLED"
    return status


@dataclass(frozen=True)
class Holdings:
    """Per charge, what the provider did for real (replays excluded)."""

    #: The charge's last authorisation-side state (AUTHORISED, CANCELLED after a void, REJECTED, ...).
    status: dict[str, str]
    captures: Counter[str]
    #: Pence refunded per charge.
    refunded: Counter[str]

    @property
    def held(self) -> frozenset[str]:
        """Authorised, never captured, never voided afterwards: the payer's money is still on hold."""
        return frozenset(c for c, s in self.status.items() if s == "AUTHORISED" and not self.captures[c])

    @property
    def voided(self) -> frozenset[str]:
        return frozenset(c for c, s in self.status.items() if s == "CANCELLED")

    @property
    def double_captures(self) -> frozenset[str]:
        return frozenset(c for c, n in self.captures.items() if n > 1)


def holdings(entries: list[Entry]) -> Holdings:
    by_charge: dict[str, list[Entry]] = {}
    for entry in entries:
        by_charge.setdefault(entry.charge, []).append(entry)
    status = {charge: s for charge, es in by_charge.items() if (s := _authorisation_status(es)) is not None}
    effective = [e for e in entries if not e.replay]
    refunded: Counter[str] = Counter()
    for e in effective:
        if e.op == "refund":
            refunded[e.charge] += e.amount or 0
    return Holdings(
        status=status,
        captures=Counter(e.charge for e in effective if e.op == "capture"),
        refunded=refunded,
    )
