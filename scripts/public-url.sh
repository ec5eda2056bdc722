#!/usr/bin/env bash
# Print the public base URL for a server bound to HOST:PORT (scheme, host, port;
# no trailing slash): the address phones and printed QR posters will use.
#   scripts/public-url.sh 127.0.0.1 8000   -> http://127.0.0.1:8000
#   scripts/public-url.sh 0.0.0.0 8080     -> http://<this machine's first LAN address>:8080
# A wildcard bind address is no address a phone can open, so it is replaced by
# the machine's first address (hostname -I), or 127.0.0.1 when it has none.
set -euo pipefail
host=${1:?usage: public-url.sh HOST PORT}
port=${2:?usage: public-url.sh HOST PORT}
case "$host" in
  0.0.0.0|::|"[::]"|"")
    host=$(hostname -I 2>/dev/null | awk '{print $1}')
    host=${host:-127.0.0.1}
    ;;
esac
case "$host" in
  *:*) host="[${host#[}"; host="${host%]}]" ;;  # an IPv6 address goes in brackets
esac
if [ "$port" = 80 ]; then echo "http://$host"; else echo "http://$host:$port"; fi
