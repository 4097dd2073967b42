"""``scripts/chaos_workers.py``: 20 ``kill -9`` of workers mid-capture and mid-publish lose nothing.

Runs in every ``make test`` (about a minute: 20 kills half a second apart on average, then the
survivors settle). ``make chaos``-style longer runs: the script's own options (docs/benchmarks.md).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


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
            "--interval",
            "0.5",
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
    print(json.dumps(report))  # noqa: T201 (the figures, for `pytest -s`: docs/benchmarks.md)

    assert report["kills"] == 20
    assert report["charges"] > 0
    assert report["unemitted_events"] == 0, report
    assert report["not_captured"] == 0, report
    assert report["out_of_order_payments"] == 0, report
    assert report["bad_signatures"] == 0
    assert result.returncode == 0, result.stderr[-2000:]
