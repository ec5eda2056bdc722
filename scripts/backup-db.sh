#!/usr/bin/env bash
# Logical backup of the PostgreSQL database named by DATABASE_URL.
#   scripts/backup-db.sh FILE      → FILE is a pg_dump custom-format archive
# Point-in-time recovery uses WAL archiving besides this: docs/deployment.md.
set -euo pipefail
: "${DATABASE_URL:?DATABASE_URL must point at the PostgreSQL database}"
out=${1:?usage: backup-db.sh FILE}
pg_dump --format=custom --no-owner --no-privileges --file="$out" "$DATABASE_URL"
echo "backup-db: wrote $out ($(stat -c %s "$out") bytes)"
