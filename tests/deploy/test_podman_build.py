"""A real image, built by podman from a clean checkout, serves styled pages as an unprivileged user.

The build takes minutes on these machines (Debian base stand-ins, `uv sync`, `npm ci`, vfs
storage), so it runs only with ``PAY_PODMAN_BUILD=1``; the scratch-folder test of the asset
stage (``test_image.py``) stays in the default suite.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
PODMAN = ["podman", "--runtime", "runc"]
LIMITS = ["--ulimit", "nofile=4096:4096", "--ulimit", "nproc=4096:4096"]

# scripts/podman_image.sh installs Debian's podman, runc and debootstrap when they are missing.
pytestmark = pytest.mark.skipif(
    os.environ.get("PAY_PODMAN_BUILD") != "1",
    reason="the image build takes minutes: set PAY_PODMAN_BUILD=1",
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_an_image_from_a_clean_clone_serves_styled_pages_unprivileged(tmp_path: Path) -> None:
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
    tag = f"localhost/pay-test:{os.getpid()}"
    subprocess.run(
        ["bash", str(ROOT / "scripts" / "podman_image.sh"), str(clone), tag], check=True, timeout=3000
    )
    name = f"pay-test-{os.getpid()}"
    port = _free_port()
    try:
        (config,) = json.loads(
            subprocess.run([*PODMAN, "image", "inspect", tag], capture_output=True, check=True).stdout
        )
        assert config["Config"]["User"] == "10001:10001"
        # Docker keeps the health check in Config; podman 4 reports it beside Config.
        health = config.get("Healthcheck") or config["Config"].get("Healthcheck") or {}
        assert "pay_common.probe" in " ".join(health.get("Test", []))
        subprocess.run(
            [
                *PODMAN,
                "run",
                "-d",
                "--name",
                name,
                "--network=host",
                *LIMITS,
                "-e",
                "APP=frontend.main:app",
                "-e",
                f"PORT={port}",
                tag,
            ],
            check=True,
            capture_output=True,
        )
        stylesheet = None
        for _ in range(120):
            try:
                stylesheet = httpx.get(
                    f"http://127.0.0.1:{port}/static/govuk/govuk-frontend.min.css", timeout=2
                )
                break
            except httpx.HTTPError:
                time.sleep(0.5)
        assert stylesheet is not None
        assert stylesheet.status_code == 200
        assert stylesheet.headers["content-type"].startswith("text/css")
        assert len(stylesheet.content) > 50_000
        user = subprocess.run([*PODMAN, "exec", name, "id", "-u"], capture_output=True, text=True, check=True)
        assert user.stdout.strip() == "10001"
    finally:
        subprocess.run([*PODMAN, "rm", "-f", name], capture_output=True)
        subprocess.run([*PODMAN, "rmi", "-f", tag], capture_output=True)
