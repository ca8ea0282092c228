# Shared by the benchmark scripts (source it): the suite, its database, a gateway of a
# benchmark's own, and wrk's figures.

# Brings the suite up (./planapi up) unless its gateway answers /readyz.
bench_suite_up() {
  local port=${PLANAPI_GATEWAY_PORT:-8443}
  if ! curl -sf --cacert "$ROOT/var/tls/ca.pem" "https://localhost:$port/readyz" >/dev/null 2>&1; then
    "$ROOT/planapi" up >/dev/null
  fi
}

# The suite's PostgreSQL conninfo for database $1 (from var/up.json).
bench_conninfo() {
  local c
  c=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["postgres"]["conninfo"])' \
    "$ROOT/var/up.json")
  echo "${c/dbname=planapi/dbname=$1}"
}

# Starts a gateway on HTTPS port $1 whose FHIR upstream is $2 and directory upstream $3 (the
# suite's services for the rest), logging to $4; prints its pid once /healthz answers.
bench_gateway() {
  PLANAPI_HTTPS_PORT=$1 PLANAPI_PUBLIC_URL="https://localhost:$1" \
    PLANAPI_TLS_CERT_FILE="$ROOT/var/tls/server.pem" PLANAPI_TLS_KEY_FILE="$ROOT/var/tls/server.key" \
    PLANAPI_AUTH_ADDR=127.0.0.1:50051 PLANAPI_FHIR_ADDR="$2" PLANAPI_DIRECTORY_ADDR="$3" \
    PLANAPI_REGISTRY_ADDR=127.0.0.1:50054 PLANAPI_REVIEW_ADDR=127.0.0.1:50055 \
    PLANAPI_LOG_LEVEL=warn PLANAPI_CLIENT_RATE_LIMIT=0 \
    "$ROOT/build/release/bin/planapi-gateway" >"$4" 2>&1 &
  local pid=$!
  for _ in $(seq 1 100); do
    curl -sf --cacert "$ROOT/var/tls/ca.pem" -o /dev/null "https://localhost:$1/healthz" && break
    sleep 0.2
  done
  echo "$pid"
}

# wrk's latency ("1.23ms", "850.00us", "1.20s") in milliseconds.
to_ms() {
  awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n += 0; else if (v ~ /s$/) n *= 1000; printf "%.2f", n }'
}

# Runs wrk with THREADS, CONNECTIONS, DURATION and the given arguments; prints
# "requests/s p50_ms p99_ms", and what wrk reports of errors on stderr.
bench_wrk() {
  local out errors
  out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "$@")
  errors=$(awk '/Non-2xx|Socket errors/ {print}' <<<"$out")
  [[ -n "$errors" ]] && echo "    $errors" >&2
  echo "$(awk '/Requests\/sec/ {print $2}' <<<"$out") $(to_ms "$(awk '$1=="50%" {print $2}' <<<"$out")") $(to_ms "$(awk '$1=="99%" {print $2}' <<<"$out")")"
}

# Reads through the gateway (wrk, arguments after the fourth) against pgbench point reads of the
# same rows ($3: script file, $4: database), alternating ROUNDS (1) times so that both sides see
# the same machine; prints each round and the median ratio. $1 and $2 label the two lines.
bench_reads_vs_pgbench() {
  local gw_label=$1 pg_label=$2 sql=$3 db=$4
  shift 4
  local ratios=() round g_rps g_p50 g_p99 pg_out pg_tps
  for round in $(seq 1 "${ROUNDS:-1}"); do
    read -r g_rps g_p50 g_p99 < <(bench_wrk "$@")
    pg_out=$(pgbench -n -c "$CONNECTIONS" -j "$THREADS" -T "${DURATION%s}" -f "$sql" "$db" 2>&1)
    pg_tps=$(awk '/^tps/ {print $3; exit}' <<<"$pg_out")
    printf '\n%-44s %10s %9s %9s\n' "$gw_label" "$g_rps" "$g_p50" "$g_p99"
    printf '%-44s %10s\n' "$pg_label" "$pg_tps"
    ratios+=("$(python3 -c 'import sys; print(f"{float(sys.argv[1]) / float(sys.argv[2]):.3f}")' "$g_rps" "$pg_tps")")
    echo "  round $round: gateway/pgbench = ${ratios[-1]}"
  done
  python3 -c 'import statistics, sys; print(f"gateway/pgbench = {statistics.median(map(float, sys.argv[1:])):.2f} (median of {len(sys.argv) - 1}; target >= 0.50)")' "${ratios[@]}"
}
