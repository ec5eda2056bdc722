#!/usr/bin/env bash
# Serve sangkien the way `make run` does: a production server on a laptop.
#
#   scripts/serve.sh            (HOST=127.0.0.1 PORT=8000 by default)
#   HOST=0.0.0.0 PORT=8080 scripts/serve.sh
#
# - gunicorn (WEB_CONCURRENCY processes × 4 threads) with DEBUG off
#   (SANGKIEN_ENV=production) and WhiteNoise serving the collected, hashed,
#   Brotli/gzip-compressed assets;
# - plain HTTP (SANGKIEN_HTTPS=0: no HTTPS redirect, HSTS or secure-only cookies);
# - a secret key generated once and kept in var/secret-key (SANGKIEN_SECRET_KEY_FILE);
# - SANGKIEN_PUBLIC_URL (QR codes, posters) from HOST and PORT unless given,
#   and SANGKIEN_ALLOWED_HOSTS covering HOST and that URL's host unless given;
# - the database (DATABASE_URL, the embedded SQLite by default) migrated, the
#   static files collected into var/static (SANGKIEN_STATIC_ROOT);
# - request line and headers bounded by gunicorn's --limit-request-* (bodies are capped
#   per page by the app, before they are read: RequestBodyLimitMiddleware);
# - the background worker (`manage.py db_worker`) beside the server: when one of
#   them stops, or on Ctrl-C / SIGTERM, both stop.
set -euo pipefail
cd "$(dirname "$0")/.."

HOST=${HOST:-127.0.0.1}
PORT=${PORT:-8000}
PY=${PY:-.venv/bin/python}

export SANGKIEN_ENV=production
export SANGKIEN_HTTPS=${SANGKIEN_HTTPS:-0}
export SANGKIEN_PUBLIC_URL=${SANGKIEN_PUBLIC_URL:-$(scripts/public-url.sh "$HOST" "$PORT")}

if [ -z "${SANGKIEN_SECRET_KEY:-}" ]; then
  key_file=${SANGKIEN_SECRET_KEY_FILE:-var/secret-key}
  if [ ! -s "$key_file" ]; then
    mkdir -p "$(dirname "$key_file")"
    (umask 077 && "$PY" -c 'import secrets; print(secrets.token_urlsafe(50))' > "$key_file")
  fi
  SANGKIEN_SECRET_KEY=$(cat "$key_file")
  export SANGKIEN_SECRET_KEY
fi

if [ -z "${SANGKIEN_ALLOWED_HOSTS:-}" ]; then
  public_host=$(printf '%s' "$SANGKIEN_PUBLIC_URL" | sed -E 's#^[a-z]+://##; s#/.*$##; s#:[0-9]+$##; s#^\[(.*)\]$#\1#')
  hosts="$public_host,127.0.0.1,localhost"
  case "$HOST" in
    0.0.0.0|::|"[::]") for address in $(hostname -I 2>/dev/null) $(hostname); do hosts="$hosts,$address"; done ;;
    *) hosts="$hosts,$HOST" ;;
  esac
  export SANGKIEN_ALLOWED_HOSTS=$hosts
fi

mkdir -p var
"$PY" manage.py migrate --noinput -v0
"$PY" manage.py collectstatic --noinput -v0

case "$HOST" in
  *:*) bind="[${HOST#[}"; bind="${bind%]}]:$PORT" ;;  # IPv6
  *) bind="$HOST:$PORT" ;;
esac

pids=()
stop() {
  trap - EXIT INT TERM
  [ ${#pids[@]} -eq 0 ] || kill -TERM "${pids[@]}" 2>/dev/null || true
  wait || true
}
trap stop EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

"$PY" manage.py db_worker --no-reload --queue-name '*' &
pids+=($!)
"$PY" -m gunicorn sangkien.wsgi:application \
  --bind "$bind" --workers "${WEB_CONCURRENCY:-2}" --threads 4 \
  --timeout 60 --graceful-timeout 5 --access-logfile - \
  --limit-request-line 4094 --limit-request-fields 100 --limit-request-field_size 8190 &
pids+=($!)
echo "sangkien is serving on $SANGKIEN_PUBLIC_URL/ (gunicorn, DEBUG off; Ctrl-C stops the server and the worker)"
status=0
wait -n || status=$?
exit "$status"
