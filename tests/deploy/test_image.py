"""deploy/Dockerfile builds a styled, unprivileged, health-checked image from a clean checkout.

No container engine can run on the machines this project is built on, so the image's asset
stage is proven by running its own COPY and RUN steps, as written in the Dockerfile, in a
scratch folder holding only what a clean checkout has; then the runtime stage's copy of the
result is checked to land where the payment pages serve their stylesheet from. That stage runs
``npm ci``, so it is skipped (with the reason) where the npm registry cannot be reached.
"""

from __future__ import annotations

import fnmatch
import shlex
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from frontend.config import PACKAGE_DIR

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "deploy" / "Dockerfile"


@dataclass
class Stage:
    name: str
    workdir: str = "/"
    copies: list[tuple[str | None, list[str], str]] = field(default_factory=list)
    runs: list[str] = field(default_factory=list)
    instructions: dict[str, list[str]] = field(default_factory=dict)


def _instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    joined: list[str] = []
    pending = ""
    for line in DOCKERFILE.read_text().splitlines():
        if not pending and (not line.strip() or line.lstrip().startswith("#")):
            continue
        pending += line.rstrip("\\").strip() + " " if line.endswith("\\") else line.strip()
        if not line.endswith("\\"):
            joined.append(pending)
            pending = ""
    return [(text.split(" ", 1)[0].upper(), text.split(" ", 1)[1]) for text in joined]


def _stages() -> dict[str, Stage]:
    stages: dict[str, Stage] = {}
    current: Stage | None = None
    for instruction, arguments in _instructions():
        if instruction == "FROM":
            current = Stage(arguments.split(" AS ")[-1].strip())
            stages[current.name] = current
            continue
        if current is None:
            assert instruction == "ARG", f"{instruction} before the first FROM"
            continue  # the base images' build arguments
        current.instructions.setdefault(instruction, []).append(arguments)
        if instruction == "WORKDIR":
            current.workdir = arguments
        elif instruction == "RUN":
            current.runs.append(arguments)
        elif instruction == "COPY":
            words = shlex.split(arguments)
            source_stage = next((w.split("=", 1)[1] for w in words if w.startswith("--from=")), None)
            paths = [w for w in words if not w.startswith("--")]
            current.copies.append((source_stage, paths[:-1], paths[-1]))
    return stages


def _ignored(relative: str) -> bool:
    """Docker's rule: a pattern excludes the paths it matches and everything under them."""
    patterns = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    parts = relative.split("/")
    for end in range(1, len(parts) + 1):
        for pattern in patterns:
            if pattern.startswith("**/"):
                tail = pattern.removeprefix("**/")
                if any(fnmatch.fnmatch("/".join(parts[start:end]), tail) for start in range(end)):
                    return True
            elif fnmatch.fnmatch("/".join(parts[:end]), pattern):
                return True
    return False


def _git_tracked(relative: str) -> bool:
    listed = subprocess.run(
        ["git", "ls-files", "--", relative], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return bool(listed.stdout.strip())


def test_the_image_runs_unprivileged_with_a_health_check() -> None:
    runtime = _stages()["runtime"]

    (user,) = runtime.instructions["USER"]
    assert user.split(":")[0] not in {"0", "root"}
    (healthcheck,) = runtime.instructions["HEALTHCHECK"]
    assert "pay_common.probe" in healthcheck


def test_every_copied_source_is_in_a_clean_checkout_and_not_ignored() -> None:
    for stage in _stages().values():
        for source_stage, sources, _ in stage.copies:
            if source_stage is not None:
                continue
            for source in sources:
                assert _git_tracked(source), f"{stage.name}: {source} is not in the repository"
                assert not _ignored(source), f"{stage.name}: {source} is excluded by .dockerignore"


def test_local_build_output_never_enters_the_build_context() -> None:
    for local in (
        ".venv/bin/python",
        "services/frontend/node_modules/govuk-frontend",
        "services/frontend/frontend/static/govuk/govuk-frontend.min.css",
        ".git",
    ):
        assert _ignored(local), local


def _npm_registry_unreachable() -> str | None:
    """Why ``npm ci`` cannot fetch here (None when the registry answers): a quick ``npm ping``.

    It asks the registry npm is configured with (``npm config get registry``, proxies included),
    once, for at most a few seconds, so an offline machine skips instead of waiting out retries.
    """
    command = ["npm", "ping", "--fetch-retries=0", "--fetch-timeout=5000", "--loglevel=error"]
    try:
        subprocess.run(command, check=True, capture_output=True, timeout=15)
    except subprocess.TimeoutExpired:
        return "the npm registry did not answer `npm ping` within 15 s (no network?)"
    except subprocess.CalledProcessError as exc:
        detail = (exc.stderr or b"").decode(errors="replace").strip().splitlines()
        return "the npm registry cannot be reached (`npm ping` failed" + (
            f": {detail[0]})" if detail else ")"
        )
    return None


@pytest.mark.skipif(shutil.which("npm") is None, reason="npm is not installed (apt-get install npm)")
def test_the_asset_stage_builds_the_stylesheet_the_payment_pages_serve(tmp_path: Path) -> None:
    unreachable = _npm_registry_unreachable()
    if unreachable is not None:
        pytest.skip(f"{unreachable}: the asset stage runs `npm ci`")
    stages = _stages()
    assets = stages["assets"]
    workdir = tmp_path / assets.workdir.lstrip("/")
    workdir.mkdir(parents=True)
    for _, sources, destination in assets.copies:
        target = workdir / destination
        target.mkdir(parents=True, exist_ok=True)
        for source in sources:
            shutil.copy2(ROOT / source, target / Path(source).name)
    for command in assets.runs:
        subprocess.run(["bash", "-c", command], cwd=workdir, check=True, capture_output=True, timeout=300)

    ((_, (built,), installed),) = [c for c in stages["runtime"].copies if c[0] == "assets"]
    built_dir = tmp_path / built.lstrip("/")
    stylesheet = built_dir / "govuk-frontend.min.css"
    assert stylesheet.stat().st_size > 50_000
    assert any((built_dir / "assets" / "fonts").glob("*.woff2"))
    # The runtime stage puts them where the payment pages serve /static/govuk/ from.
    served_from = PACKAGE_DIR / "static" / "govuk"
    runtime_root = Path(stages["runtime"].workdir)
    assert Path(installed) == runtime_root / served_from.relative_to(ROOT)
    assert stylesheet.read_bytes() == (served_from / "govuk-frontend.min.css").read_bytes()
