#!/usr/bin/env bash
# Installs Debian's `chromium` for the browser end-to-end tests (tests/e2e), when it is missing.
# Playwright drives it through executable_path=/usr/bin/chromium and never downloads a browser.
# Idempotent; needs root (or sudo) only when chromium is not installed yet.
set -euo pipefail

if [[ -x /usr/bin/chromium ]]; then
    exit 0
fi
if [[ "${PAY_SKIP_E2E:-}" == "1" ]]; then
    echo "install_chromium: PAY_SKIP_E2E=1, not installing chromium (the e2e tests will be skipped)"
    exit 0
fi
source "$(dirname "$0")/apt_root.sh"
sudo=$(apt_root) || { echo "install_chromium: need root or sudo to apt-get install chromium" >&2; exit 1; }
echo "install_chromium: installing Debian's chromium (apt-get)"
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends chromium >/dev/null
/usr/bin/chromium --version
