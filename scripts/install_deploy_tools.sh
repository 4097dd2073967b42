#!/usr/bin/env bash
# Installs Debian's docker-compose (checks deploy/compose.yml in tests/deploy) and haproxy (the load
# balancer of `make bench-scale`) when missing. kubectl, when present, checks the Kubernetes
# manifests; it is not in Debian's archive, so its tests skip with a reason without it.
# Idempotent; needs root (or sudo) only when something is missing. PAY_SKIP_DEPLOY_TOOLS=1 opts out.
set -euo pipefail

missing=()
command -v docker-compose >/dev/null || missing+=(docker-compose)
command -v haproxy >/dev/null || [[ -x /usr/sbin/haproxy ]] || missing+=(haproxy)
if [[ ${#missing[@]} -eq 0 || "${PAY_SKIP_DEPLOY_TOOLS:-}" == "1" ]]; then
    exit 0
fi
source "$(dirname "$0")/apt_root.sh"
sudo=$(apt_root) || { echo "install_deploy_tools: need root or sudo for: ${missing[*]}" >&2; exit 0; }
echo "install_deploy_tools: installing ${missing[*]} (apt-get)"
$sudo apt-get update -qq >/dev/null || true
# A failed install leaves the tests that need the tool skipped with their reason, never failing.
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null || \
    echo "install_deploy_tools: could not install ${missing[*]}; their checks will be skipped" >&2
