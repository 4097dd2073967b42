"""A pytest plugin that fails a test which leaves something running after its teardown.

A test (with its function-scoped fixtures) must stop what it starts: a capture loop left
running by one test once wrote to the database while the next test's ``clean_db`` truncated
it, and PostgreSQL broke the deadlock by failing that innocent test. So after each test's
teardown the plugin compares what the process has running with what it had before the
test's setup:

* asyncio tasks not done, on any loop that is still open (a closed loop never runs them);
* Python threads still alive;
* child processes still running (zombies have exited and are not counted);
* TCP sockets of this process in the LISTEN state (servers).

Anything new is a leak, and the test gets an error at teardown naming it. The exception is what
a module- or session-scoped fixture set up: a session's app or browser is meant to outlive the
test that first asked for it. That is still checked, when the fixture itself is torn down:
whatever it started must be gone by then. Register the plugin with
``pytest_plugins = ["pay_common.testing.leaks"]`` in the top-level conftest.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Generator, Hashable, Iterable
from concurrent.futures.thread import _worker as _futures_worker
from typing import Any

import psutil
import pytest

#: What is running at one moment: identity -> description for the failure message.
Snapshot = dict[Hashable, str]

_BEFORE = pytest.StashKey[Snapshot]()


def snapshot() -> Snapshot:
    """Everything this process has running now that a test could leave behind."""
    running: Snapshot = {}
    running.update(_pending_tasks())
    running.update(_threads())
    running.update(_children())
    running.update(_listeners())
    return running


def settled(before: Snapshot, seconds: float = 1.0) -> Snapshot:
    """A snapshot once what the test left is gone, or after ``seconds``: a pool thread finishing
    its last job, or a socket closing, a moment after the test's own teardown is not a leak."""
    deadline = time.monotonic() + seconds
    after = snapshot()
    while leaks(before, after) and time.monotonic() < deadline:
        time.sleep(0.05)
        after = snapshot()
    return after


def leaks(before: Snapshot, after: Snapshot, allowed: Iterable[Hashable] = ()) -> Snapshot:
    """What runs ``after`` that did not run ``before`` and is not ``allowed``."""
    exempt = set(before) | set(allowed)
    return {key: description for key, description in after.items() if key not in exempt}


def _pending_tasks() -> Iterable[tuple[Hashable, str]]:
    # asyncio.all_tasks() needs the loop, and the tasks a test leaves may live on a loop of its
    # own (a server thread's). The registry behind it holds every loop's tasks (CPython 3.11).
    registry = asyncio.tasks._all_tasks  # type: ignore[attr-defined]
    for _ in range(100):  # another thread may add a task while we copy, as all_tasks() allows for
        try:
            tasks: list[asyncio.Task[Any]] = list(registry)
            break
        except RuntimeError:
            continue
    else:
        tasks = []
    for task in tasks:
        if not task.done() and not task.get_loop().is_closed() and not _finalizes_a_generator(task):
            yield task, f"asyncio task {task.get_name()!r} running {_coroutine_name(task)}"


def _finalizes_a_generator(task: asyncio.Task[Any]) -> bool:
    """The loop's own clean-up of an async generator dropped before its end (``aclose()``).

    asyncio schedules it when the generator is garbage collected (a request body the app did
    not read to the end); it runs the generator's ``finally`` the next time the loop runs, and
    starts nothing.
    """
    return type(task.get_coro()).__name__ == "async_generator_athrow"


def _coroutine_name(task: asyncio.Task[Any]) -> str:
    coroutine = task.get_coro()
    return str(getattr(coroutine, "__qualname__", coroutine))


def _threads() -> Iterable[tuple[Hashable, str]]:
    for thread in threading.enumerate():
        if thread is not threading.main_thread() and thread.is_alive() and not _idle_pool_worker(thread):
            kind = "daemon thread" if thread.daemon else "thread"
            yield thread, f"{kind} {thread.name!r}"


def _idle_pool_worker(thread: threading.Thread) -> bool:
    """An idle worker of a loop's thread pool: AnyIO's (Starlette serves static files through
    it) or the loop's default executor (``getaddrinfo``, ``to_thread``).

    The pools belong to an event loop, not to a test: a session's server keeps a few workers
    waiting for the next job. A busy AnyIO worker is still doing a test's work, and counts (the
    guard gives it a moment to finish: :func:`settled`).
    """
    idle_workers = getattr(thread, "idle_workers", None)  # anyio._backends._asyncio.WorkerThread
    if idle_workers is not None:
        return thread in idle_workers
    # concurrent.futures' workers (the loop's default executor names them asyncio_N) live as long
    # as their executor and serve every test after the first; a lookup may still be finishing
    # in one after the test that asked gave up on it (a timed-out getaddrinfo cannot be stopped).
    return getattr(thread, "_target", None) is _futures_worker


def _children() -> Iterable[tuple[Hashable, str]]:
    for child in psutil.Process().children():
        try:
            if child.status() == psutil.STATUS_ZOMBIE:
                continue
            command = " ".join(child.cmdline()[:3])
            yield ("process", child.pid, child.create_time()), f"child process {child.pid} ({command})"
        except psutil.NoSuchProcess:  # exited while we looked
            continue


def _listeners() -> Iterable[tuple[Hashable, str]]:
    for connection in psutil.Process().net_connections(kind="tcp"):
        if connection.status == psutil.CONN_LISTEN:
            host, port = connection.laddr
            yield ("listener", connection.fd, host, port), f"server listening on {host}:{port}"


class LeakGuard:
    """The plugin's state: what longer-lived fixtures own, and what was already reported."""

    def __init__(self) -> None:
        self._owned: dict[Any, set[Hashable]] = {}  # live module/session fixture -> what it started
        self._released: set[Hashable] = set()  # owned by a fixture since torn down: must be gone
        self._reported: set[Hashable] = set()  # each leak fails one test, not every later one

    @pytest.hookimpl(wrapper=True)
    def pytest_fixture_setup(self, fixturedef: pytest.FixtureDef[Any]) -> Generator[None, Any, Any]:
        if fixturedef.scope == "function":
            return (yield)
        before = snapshot()
        try:
            return (yield)
        finally:
            started = set(snapshot()) - set(before)
            self._owned.setdefault(fixturedef, set()).update(started)

    def pytest_fixture_post_finalizer(self, fixturedef: pytest.FixtureDef[Any]) -> None:
        self._released |= self._owned.pop(fixturedef, set())

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_setup(self, item: pytest.Item) -> Generator[None, None, None]:
        item.stash[_BEFORE] = snapshot()
        return (yield)

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_teardown(self, item: pytest.Item) -> Generator[None, None, None]:
        result = yield
        before = item.stash.get(_BEFORE, None)
        if before is None:  # setup never ran (e.g. another plugin skipped it)
            return result
        after = settled(before)
        kept = set().union(*self._owned.values())
        # A fixture torn down during this teardown must have stopped what it started (unless a
        # fixture still alive started it too: a session fixture first set up inside a module one).
        released = {key: after[key] for key in self._released - kept if key in after}
        self._released.clear()
        found = leaks(before, after, allowed=kept) | released
        new = {key: text for key, text in found.items() if key not in self._reported}
        if new:
            self._reported |= set(new)
            pytest.fail(
                "still running after the test and its fixtures ended (stop and await what a test "
                "starts, in the test or in a fixture's teardown):\n  " + "\n  ".join(sorted(new.values())),
                pytrace=False,
            )
        return result


def pytest_configure(config: pytest.Config) -> None:
    config.pluginmanager.register(LeakGuard(), "pay-leak-guard")
