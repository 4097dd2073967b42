#!/usr/bin/env bash
# Create .venv with the locked dependencies. Idempotent and quick when nothing changed.
# uv lives in its own small venv (.tools) so `uv sync` never uninstalls it from .venv.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3.11}"
command -v "$PYTHON" >/dev/null 2>&1 || PYTHON=python3
UV_VERSION="0.13.8"

if [ ! -x .tools/bin/uv ] || ! .tools/bin/uv --version | grep -q "$UV_VERSION"; then
    "$PYTHON" -m venv .tools
    .tools/bin/pip install --quiet --disable-pip-version-check "uv==$UV_VERSION"
fi
UV_PYTHON="$PYTHON" .tools/bin/uv sync --frozen --quiet
# The payment pages serve the GOV.UK Design System fetched from the npm registry (not committed).
scripts/frontend_assets.sh >/dev/null
