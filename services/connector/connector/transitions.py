"""A table of allowed status moves, for the state machines that follow the charges' style.

Refunds (``refunds/state.py``) and credentials (``credentials/state.py``) declare their edges
as a :class:`TransitionTable`; agreements, mandates and webhooks can do the same. (Charges keep
their own table in ``charges/state.py``: each of their edges also names an event.)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import StrEnum
from typing import Generic, TypeVar

S = TypeVar("S", bound=StrEnum)


class IllegalTransition(ValueError):
    """A move that the table does not allow (callers translate it to their HTTP answer)."""

    def __init__(self, kind: str, current: str, target: str) -> None:
        self.current = current
        self.target = target
        super().__init__(f"{kind} state transition [{current}] -> [{target}] not allowed")


class TransitionTable(Generic[S]):
    """``moves``: each status and the statuses it may move to (a final status is left out)."""

    def __init__(self, kind: str, statuses: type[S], moves: Mapping[S, Iterable[S]]) -> None:
        self.kind = kind
        self.statuses = statuses
        self.edges = frozenset((current, target) for current, targets in moves.items() for target in targets)

    def is_allowed(self, current: S | str, target: S | str) -> bool:
        return (self.statuses(current), self.statuses(target)) in self.edges

    def check(self, current: S | str, target: S | str) -> None:
        """Raise :class:`IllegalTransition` unless ``current -> target`` is an edge."""
        if not self.is_allowed(current, target):
            raise IllegalTransition(self.kind, str(current), str(target))
