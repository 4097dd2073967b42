#!/usr/bin/env bash
# Run the whole test suite. pytest's exit code 5 ("no tests collected") is a failure here.
# Tests run in PAY_TEST_WORKERS pytest-xdist workers (default 2; 0 = in this process), each on
# a database of its own; the browser tests stay together on one worker (--dist loadgroup).
set -uo pipefail
cd "$(dirname "$0")/.."
# The browser tests drive Debian's chromium; install it when missing (PAY_SKIP_E2E=1 opts out).
scripts/install_chromium.sh
# docker-compose and haproxy for tests/deploy (skipped with a reason when they cannot be installed).
scripts/install_deploy_tools.sh
workers="${PAY_TEST_WORKERS:-2}"
parallel=()
if [ "$workers" != "0" ]; then
    parallel=(-n "$workers" --dist loadgroup)
fi
.venv/bin/python -m pytest "${parallel[@]}" "$@"
status=$?
if [ "$status" -eq 5 ]; then
    echo "pytest collected no tests: failing" >&2
    exit 1
fi
exit "$status"
