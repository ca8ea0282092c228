#!/usr/bin/env bash
# Gateway benchmark (issue: the gateway's local route at least as fast as nginx serving a static
# file over HTTPS, the forwarded route at least half the local one). In one run, over HTTPS with
# keep-alive, with wrk on this machine:
#   1. nginx serving a small static file (the baseline), same certificate, same worker count
#   2. the gateway's GET /healthz (answered locally)
#   3. the gateway's GET /fhir/r4/metadata (forwarded over gRPC to the fhir service)
# and prints requests/s, p50 and p99 for each plus the ratios. Uses the suite from ./planapi up
# (started if needed). Options: DURATION (10s), CONNECTIONS (32), THREADS (2).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-2}
PORT=${PLANAPI_GATEWAY_PORT:-8443}
NGINX_PORT=${NGINX_PORT:-8543}

# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
bench_suite_up

work=$(mktemp -d)
trap 'nginx -p "$work" -c "$work/nginx.conf" -s stop 2>/dev/null || true; rm -rf "$work"' EXIT
mkdir -p "$work/www" "$work/logs"
chmod 755 "$work" "$work/www"  # nginx workers run unprivileged
printf '{"status":"ok"}' >"$work/www/healthz"
workers=$(nproc)
cat >"$work/nginx.conf" <<CONF
worker_processes $workers;
error_log $work/logs/error.log;
pid $work/nginx.pid;
events { worker_connections 1024; }
http {
  access_log off;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:$NGINX_PORT ssl;
    ssl_certificate $ROOT/var/tls/server.pem;
    ssl_certificate_key $ROOT/var/tls/server.key;
    ssl_protocols TLSv1.2 TLSv1.3;
    root $work/www;
    location / { default_type application/json; }
  }
}
CONF
nginx -p "$work" -c "$work/nginx.conf"

# run NAME URL -> "rps p50_ms p99_ms"
run() {
  local out
  out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "$2")
  local rps p50 p99
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1=="50%" {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  local errors
  errors=$(awk '/Non-2xx|Socket errors/ {print}' <<<"$out")
  if [[ -n "$errors" ]]; then echo "  $1: $errors" >&2; fi
  echo "$rps $(to_ms "$p50") $(to_ms "$p99")"
}

echo "wrk: $THREADS threads, $CONNECTIONS connections, $DURATION each, HTTPS keep-alive, $(nproc) cores"
# Warm up TLS sessions and the gRPC channel.
wrk -t1 -c4 -d2s "https://localhost:$PORT/fhir/r4/metadata" >/dev/null
read -r n_rps n_p50 n_p99 < <(run nginx "https://localhost:$NGINX_PORT/healthz")
read -r l_rps l_p50 l_p99 < <(run local "https://localhost:$PORT/healthz")
read -r f_rps f_p50 f_p99 < <(run forwarded "https://localhost:$PORT/fhir/r4/metadata")
printf '%-34s %12s %10s %10s\n' target "requests/s" "p50 ms" "p99 ms"
printf '%-34s %12s %10s %10s\n' "nginx static file (baseline)" "$n_rps" "$n_p50" "$n_p99"
printf '%-34s %12s %10s %10s\n' "gateway GET /healthz (local)" "$l_rps" "$l_p50" "$l_p99"
printf '%-34s %12s %10s %10s\n' "gateway GET /fhir/r4/metadata" "$f_rps" "$f_p50" "$f_p99"
awk -v n="$n_rps" -v l="$l_rps" -v f="$f_rps" 'BEGIN {
  printf "ratio local/nginx      %.2f  (target >= 1.00)\n", l / n
  printf "ratio forwarded/local  %.2f  (target >= 0.50)\n", f / l
}'
