"""Container health probe: ``python -m pay_common.probe`` exits 0 when ``/healthcheck`` answers 200.

The URL is ``PROBE_URL`` if set, else ``http://127.0.0.1:$PORT/healthcheck`` (the port the
container's service listens on). Used by the image's ``HEALTHCHECK``; curl is not in the image.
"""

from __future__ import annotations

import os
import sys

import httpx


def probe_url() -> str:
    return os.environ.get("PROBE_URL") or f"http://127.0.0.1:{os.environ.get('PORT', '9300')}/healthcheck"


def main() -> int:
    try:
        healthy = httpx.get(probe_url(), timeout=2.0).status_code == 200
    except httpx.HTTPError:
        healthy = False
    return 0 if healthy else 1


if __name__ == "__main__":
    sys.exit(main())
