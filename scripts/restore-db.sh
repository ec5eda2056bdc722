#!/usr/bin/env bash
# Restore a backup made by backup-db.sh into the database named by
# DATABASE_URL, replacing what is there (objects are dropped first).
#   scripts/restore-db.sh FILE
set -euo pipefail
: "${DATABASE_URL:?DATABASE_URL must point at the PostgreSQL database}"
in=${1:?usage: restore-db.sh FILE}
pg_restore --clean --if-exists --no-owner --no-privileges --single-transaction --exit-on-error \
  --dbname="$DATABASE_URL" "$in"
echo "restore-db: restored $in"
