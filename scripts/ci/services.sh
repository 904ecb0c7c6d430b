#!/usr/bin/env bash
# Starts PostgreSQL and Redis on loopback for the scale-out suites (Debian packages; CI runs as root).
# Prints the env to export: TEST_POSTGRES_URL and TEST_REDIS_URL. Idempotent.
set -euo pipefail
PG_PORT=${PG_PORT:-54329}
REDIS_PORT=${REDIS_PORT:-63799}
PGDATA=${PGDATA_DIR:-/tmp/phg-pgdata}
BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)

if ! "$BIN/pg_isready" -h 127.0.0.1 -p "$PG_PORT" >/dev/null 2>&1; then
  # Not running: start from a fresh cluster (a data dir left by a killed run may hold a stale lock).
  rm -rf "$PGDATA"; mkdir -p "$PGDATA"; chown postgres:postgres "$PGDATA"
  su postgres -c "$BIN/initdb -D $PGDATA -U postgres --auth=trust -E UTF8" >/dev/null
  su postgres -c "$BIN/pg_ctl -D $PGDATA -o '-p $PG_PORT -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300' -l $PGDATA/server.log -w start" >/dev/null
fi
if ! redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1; then
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes >/dev/null
fi
for _ in $(seq 50); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
echo "export TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:$PG_PORT/postgres"
echo "export TEST_REDIS_URL=redis://127.0.0.1:$REDIS_PORT"
