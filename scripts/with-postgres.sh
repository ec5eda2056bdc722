#!/usr/bin/env bash
# Run a command against a throw-away PostgreSQL 15 server.
#
#   scripts/with-postgres.sh CMD [ARGS...]
#
# Installs Debian's postgresql-15 if it is missing, starts a fresh cluster
# on a free port of 127.0.0.1 (as the `postgres` user when run as root: the
# server refuses to run as root), exports DATABASE_URL for CMD, and stops
# and deletes the cluster afterwards, whatever CMD's outcome.
set -euo pipefail

PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
if [ ! -x "$PGBIN/initdb" ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "with-postgres: $PGBIN/initdb is missing; install Debian's postgresql-15" >&2
    exit 2
  fi
  echo "with-postgres: installing Debian's postgresql-15"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-15 >/dev/null
fi

PGROOT=$(mktemp -d /tmp/sangkien-pg.XXXXXX)
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')

as_pg() {
  if [ "$(id -u)" = 0 ]; then
    su postgres -s /bin/sh -c "$*"
  else
    sh -c "$*"
  fi
}

cleanup() {
  as_pg "'$PGBIN/pg_ctl' -D '$PGROOT/data' -m fast -w stop" >/dev/null 2>&1 || true
  rm -rf "$PGROOT"
}
trap cleanup EXIT INT TERM

if [ "$(id -u)" = 0 ]; then chown postgres:postgres "$PGROOT"; fi
as_pg "'$PGBIN/initdb' -D '$PGROOT/data' -U postgres --auth=trust -E UTF8 --locale=C.UTF-8" >/dev/null
# Durability off: a test cluster that is deleted afterwards needs no fsync.
as_pg "'$PGBIN/pg_ctl' -D '$PGROOT/data' -l '$PGROOT/server.log' -w \
  -o \"-p $PORT -c listen_addresses=127.0.0.1 -k '$PGROOT' -c fsync=off -c synchronous_commit=off -c full_page_writes=off\" start" >/dev/null
as_pg "'$PGBIN/createdb' -h 127.0.0.1 -p $PORT -U postgres sangkien"

export DATABASE_URL="postgres://postgres@127.0.0.1:$PORT/sangkien"
echo "with-postgres: PostgreSQL 15 on 127.0.0.1:$PORT"
"$@"
