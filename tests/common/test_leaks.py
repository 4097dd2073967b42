"""The leak guard (pay_common.testing.leaks) sees what a test leaves running, and fails that test."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys
import threading

import pytest

from pay_common.testing.leaks import leaks, snapshot


@pytest.mark.asyncio
async def test_a_pending_task_is_a_leak() -> None:
    before = snapshot()
    task = asyncio.create_task(asyncio.sleep(60), name="forgotten-loop")
    try:
        found = leaks(before, snapshot())
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    assert list(found.values()) == ["asyncio task 'forgotten-loop' running sleep"]
    assert leaks(before, snapshot()) == {}


def test_a_thread_still_alive_is_a_leak() -> None:
    before = snapshot()
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait, name="forgotten-thread", daemon=True)
    thread.start()
    try:
        found = leaks(before, snapshot())
    finally:
        stop.set()
        thread.join()
    assert list(found.values()) == ["daemon thread 'forgotten-thread'"]
    assert leaks(before, snapshot()) == {}


def test_a_listening_socket_is_a_leak() -> None:
    before = snapshot()
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]
        found = leaks(before, snapshot())
    assert list(found.values()) == [f"server listening on 127.0.0.1:{port}"]
    assert leaks(before, snapshot()) == {}


def test_a_running_child_process_is_a_leak() -> None:
    before = snapshot()
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        found = leaks(before, snapshot())
    finally:
        child.kill()
        child.wait()
    assert list(found.values()) == [
        f"child process {child.pid} ({sys.executable} -c import time; time.sleep(60))"
    ]
    assert leaks(before, snapshot()) == {}


def test_what_is_allowed_is_not_a_leak() -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        running = snapshot()
        assert leaks({}, running, allowed=running) == {}


INNER_TESTS = """
import socket
import threading

import pytest

stop = threading.Event()
kept = []


@pytest.fixture(scope="session")
def session_server():
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    kept.append(server)
    yield server  # never closed: the guard says so when the session ends


def test_a_session_server_may_outlive_the_test(session_server):
    assert session_server.getsockname()[1] > 0


def test_leaves_a_thread():
    threading.Thread(target=stop.wait, name="left-behind", daemon=True).start()


def test_last():
    pass
"""


def test_the_plugin_fails_the_test_that_leaks(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Only the guard in the inner run, not this suite's plugins: it starts fast and sees only its own.
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    pytester.makeconftest('pytest_plugins = ["pay_common.testing.leaks"]')
    pytester.makepyfile(test_inner=INNER_TESTS)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", timeout=60)
    result.assert_outcomes(passed=3, errors=2)
    result.stdout.fnmatch_lines(
        [
            "*ERROR at teardown of test_leaves_a_thread*",
            "still running after the test and its fixtures ended*",
            "  daemon thread 'left-behind'",
            "*ERROR at teardown of test_last*",
            "  server listening on 127.0.0.1:*",
        ]
    )
    assert "ERROR at teardown of test_a_session_server_may_outlive_the_test" not in result.stdout.str()
