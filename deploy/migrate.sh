#!/usr/bin/env bash
# One-shot deploy step: wait for PostgreSQL, then apply the connector's migrations and the webhooks
# service's (its own schema and Alembic chain; WEBHOOKS_DATABASE_URL, the same database by default).
# Usage: CONNECTOR_DATABASE_URL=postgresql://... deploy/migrate.sh
set -euo pipefail
: "${CONNECTOR_DATABASE_URL:?set CONNECTOR_DATABASE_URL}"
webhooks_url="${WEBHOOKS_DATABASE_URL:-$CONNECTOR_DATABASE_URL}"
for _ in $(seq 1 60); do
    if python -c "import asyncio, sys; from pay_common.embedded import server_answers; sys.exit(0 if asyncio.run(server_answers('$CONNECTOR_DATABASE_URL')) else 1)"; then
        python -m connector.migrate "$CONNECTOR_DATABASE_URL"
        exec python -m webhooks.migrate "$webhooks_url"
    fi
    sleep 1
done
echo "PostgreSQL did not answer within 60 s" >&2
exit 1
