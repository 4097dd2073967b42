"""``scripts/chaos_workers.py``: 20 ``kill -9`` of workers mid-capture and mid-publish lose nothing.

A stress run of several minutes with dozens of database connections, so it runs only when asked:
``PAY_CHAOS=1 .venv/bin/pytest tests/scripts/test_chaos_workers.py`` (figures: docs/benchmarks.md).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(not os.environ.get("PAY_CHAOS"), reason="stress run: set PAY_CHAOS=1 to run it")
@pytest.mark.asyncio
async def test_twenty_kills_leave_nothing_unemitted_and_nothing_uncaptured(
    clean_db: str, tmp_path: Path
) -> None:
    log = tmp_path / "workers.log"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "scripts.chaos_workers",
            "--database-url",
            clean_db,
            "--kills",
            "20",
            "--worker-log",
            str(log),
            "--settle-timeout",
            "240",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    report = json.loads(result.stdout[result.stdout.index("{") :])

    assert report["kills"] == 20
    assert report["charges"] > 0
    assert report["unemitted_events"] == 0, report
    assert report["not_captured"] == 0, report
    assert report["out_of_order_payments"] == 0, report
    assert report["bad_signatures"] == 0
    assert result.returncode == 0, result.stderr[-2000:]
