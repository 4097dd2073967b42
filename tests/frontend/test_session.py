"""Session eviction order (fact sheet B5)."""

from __future__ import annotations

import time
from typing import Any

from frontend import session


def _full_session(now: int) -> dict[str, Any]:
    charges = {f"c{i}": [now - 60, now - 60 + i, 0] for i in range(10)}
    return {"charges": charges}


def test_a_charge_older_than_a_day_is_evicted_first() -> None:
    now = int(time.time())
    state = _full_session(now)
    state["charges"]["c7"][0] = now - 25 * 3600
    session.bind(state, "new")
    assert "c7" not in state["charges"]
    assert "new" in state["charges"]


def test_then_a_terminal_charge() -> None:
    now = int(time.time())
    state = _full_session(now)
    state["charges"]["c5"][2] = 1
    session.bind(state, "new")
    assert "c5" not in state["charges"]


def test_otherwise_the_least_recently_accessed() -> None:
    state = _full_session(int(time.time()))
    session.bind(state, "new")
    assert "c0" not in state["charges"]
    assert len(state["charges"]) == 10
