#!/bin/sh
# Container entry point: serve $APP (connector.main:app, publicapi.main:app, frontend.main:app) on
# $PORT. 0.0.0.0 inside the container only: which ports reach the outside is the compose file's or
# the Kubernetes Service's decision (connector's is never published).
# h11 with a bounded header size: the default parser (httptools) puts no limit on it.
set -eu
exec uvicorn "${APP:?set APP}" --host 0.0.0.0 --port "${PORT:?set PORT}" --no-access-log \
    --proxy-headers --forwarded-allow-ips "${FORWARDED_ALLOW_IPS:-127.0.0.1}" --timeout-graceful-shutdown 20 \
    --http h11 --h11-max-incomplete-event-size 65536
