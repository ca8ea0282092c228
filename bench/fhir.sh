#!/usr/bin/env bash
# Patient Access FHIR benchmark (issue 4), in one run on this machine:
#   ingest  MEMBERS generated members (about 105 resources each, one transaction Bundle per
#           member) through `planctl import` into a fhir service of its own, against
#           PostgreSQL COPY of the same resources into a table shaped like `resource`.
#           Target: ingest at least 30% of COPY's rows/s.
# The suite's PostgreSQL (./planapi up, started if needed) holds a scratch database
# planapi_bench, dropped first and kept afterwards for inspection; the service under test runs on
# gRPC port BENCH_FHIR_PORT (50152). Options: MEMBERS (1000; the issue's figure is 10000),
# SEED (1).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
MEMBERS=${MEMBERS:-1000}
SEED=${SEED:-1}
PORT=${BENCH_FHIR_PORT:-50152}
BIN="$ROOT/build/release/bin"
GATEWAY_PORT=${PLANAPI_GATEWAY_PORT:-8443}

if ! curl -sf --cacert "$ROOT/var/tls/ca.pem" "https://localhost:$GATEWAY_PORT/readyz" >/dev/null 2>&1; then
  "$ROOT/planapi" up >/dev/null
fi
conninfo=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["postgres"]["conninfo"])' \
  "$ROOT/var/up.json")
admin=${conninfo/dbname=planapi/dbname=postgres}
bench_db=${conninfo/dbname=planapi/dbname=planapi_bench}

work=$(mktemp -d)
svc_pid=""
cleanup() {
  local status=$?
  if [[ $status -ne 0 && -f "$work/fhir.log" ]]; then
    echo "--- the service's log ends:" >&2
    tail -n 5 "$work/fhir.log" >&2
  fi
  [[ -n "$svc_pid" ]] && kill "$svc_pid" 2>/dev/null && wait "$svc_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

psql -q "$admin" -c "DROP DATABASE IF EXISTS planapi_bench" -c "CREATE DATABASE planapi_bench"
PLANAPI_DATABASE_URL="$bench_db" "$BIN/planapi-fhir" --migrate >"$work/fhir.log" 2>&1
PLANAPI_DATABASE_URL="$bench_db" PLANAPI_GRPC_HOST=127.0.0.1 PLANAPI_GRPC_PORT=$PORT \
  "$BIN/planapi-fhir" >>"$work/fhir.log" 2>&1 &
svc_pid=$!

echo "Generating $MEMBERS members (seed $SEED)"
"$BIN/planctl" generate --members "$MEMBERS" --seed "$SEED" --format bundle --out "$work/members" \
  >"$work/generate.json"
resources=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["resources_written"])' \
  "$work/generate.json")

# The same resources as COPY input for a table shaped like `resource` (type, id, content).
python3 - "$work/members" "$work/copy.tsv" <<'PY'
import json, os, sys
src, out = sys.argv[1], sys.argv[2]
with open(out, "w") as f:
    for name in sorted(os.listdir(src)):
        bundle = json.load(open(os.path.join(src, name)))
        for e in bundle.get("entry", []):
            r = e["resource"]
            text = json.dumps(r, separators=(",", ":")).replace("\\", "\\\\")
            f.write(f"2\t{r['resourceType']}\t{r['id']}\t1\t2026-01-01T00:00:00Z\tf\t{text}\n")
PY

echo "Ingest through planctl import (one transaction per member)"
start=$(date +%s.%N)
"$BIN/planctl" import --realm sandbox --addr "127.0.0.1:$PORT" "$work/members" >"$work/import.json"
end=$(date +%s.%N)
written=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["resources_written"])' \
  "$work/import.json")
ingest_s=$(python3 -c "print($end - $start)")

echo "COPY of the same rows"
psql -q "$bench_db" -c "CREATE TABLE copy_baseline (LIKE fhir.resource INCLUDING ALL)"
start=$(date +%s.%N)
psql -q "$bench_db" -c "\\copy copy_baseline (realm, type, id, version, last_updated, deleted, content) FROM '$work/copy.tsv'"
end=$(date +%s.%N)
copy_s=$(python3 -c "print($end - $start)")
copied=$(psql -tA "$bench_db" -c "SELECT count(*) FROM copy_baseline")

python3 - "$resources" "$written" "$ingest_s" "$copied" "$copy_s" <<'PY'
import sys
generated, written, ingest_s, copied, copy_s = sys.argv[1:]
ingest = int(written) / float(ingest_s)
copy = int(copied) / float(copy_s)
print(f"{'':24} {'resources':>10} {'seconds':>8} {'per second':>11}")
print(f"{'ingest (planctl import)':24} {int(written):>10} {float(ingest_s):>8.1f} {ingest:>11.0f}")
print(f"{'COPY baseline':24} {int(copied):>10} {float(copy_s):>8.1f} {copy:>11.0f}")
print(f"ingest/COPY = {ingest / copy:.2f} (target >= 0.30); generated {generated}")
PY
