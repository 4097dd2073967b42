#!/usr/bin/env bash
# Build step of the payment pages: fetch the GOV.UK Design System (npm `govuk-frontend`, pinned in
# services/frontend/package-lock.json) and copy its compiled CSS, JS, fonts and images to
# services/frontend/frontend/static/govuk/ (git-ignored), where the service serves them from /static/govuk/.
# Also provides axe-core (node_modules/axe-core/axe.min.js) for the accessibility checks of tests/e2e.
# Idempotent: `npm ci` runs only when node_modules is missing.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
frontend="$root/services/frontend"
dist="$frontend/node_modules/govuk-frontend/dist/govuk"
target="$frontend/frontend/static/govuk"

if [[ ! -d "$frontend/node_modules/govuk-frontend" || ! -d "$frontend/node_modules/axe-core" ]]; then
    command -v npm >/dev/null || { echo "frontend_assets: npm is required (apt-get install -y npm)" >&2; exit 1; }
    (cd "$frontend" && npm ci --no-audit --no-fund --loglevel=error)
fi

mkdir -p "$target"
cp "$dist/govuk-frontend.min.css" "$dist/govuk-frontend.min.js" "$target/"
rm -rf "$target/assets"
cp -R "$dist/assets" "$target/assets"
echo "frontend_assets: GOV.UK Frontend $(node -p "require('$frontend/node_modules/govuk-frontend/package.json').version" 2>/dev/null || echo '?') copied to ${target#"$root"/}"
