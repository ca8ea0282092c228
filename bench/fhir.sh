#!/usr/bin/env bash
# Patient Access FHIR benchmark (issue 4), in one run on this machine:
#   ingest  MEMBERS generated members (about 105 resources each, one transaction Bundle per
#           member) through `planctl import` into a fhir service of its own, against
#           PostgreSQL COPY of the same resources into a table shaped like `resource`.
#           Target: ingest at least 30% of COPY's rows/s.
#   read    one member's resources by id at random through a gateway of its own over HTTPS with
#           a patient token (a real authorization-code + PKCE launch against the suite's auth
#           service), against pgbench point reads of the same rows (target >= 50% of pgbench);
#   search  the US Core and CARIN BB searches for that member, p50/p99 at CONNECTIONS (8)
#           clients (target p99 < 50 ms).
# The suite's PostgreSQL (./planapi up, started if needed) holds a scratch database
# planapi_bench, dropped first and kept afterwards for inspection; the service under test runs on
# gRPC port BENCH_FHIR_PORT (50152). Options: MEMBERS (1000; the issue's figure is 10000),
# SEED (1), POOL_SIZE (8, the service's PLANAPI_DB_POOL_SIZE).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
MEMBERS=${MEMBERS:-1000}
SEED=${SEED:-1}
PORT=${BENCH_FHIR_PORT:-50152}
GW_PORT=${BENCH_GATEWAY_PORT:-8743}
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-8}
THREADS=${THREADS:-2}
POOL_SIZE=${POOL_SIZE:-8}
BIN="$ROOT/build/release/bin"

# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
bench_suite_up
admin=$(bench_conninfo postgres)
bench_db=$(bench_conninfo planapi_bench)

work=$(mktemp -d)
svc_pid=""
gw_pid=""
cleanup() {
  local status=$?
  if [[ $status -ne 0 && -f "$work/fhir.log" ]]; then
    echo "--- the service's log ends:" >&2
    tail -n 5 "$work/fhir.log" >&2
  fi
  [[ -n "$gw_pid" ]] && kill "$gw_pid" 2>/dev/null
  [[ -n "$svc_pid" ]] && kill "$svc_pid" 2>/dev/null && wait "$svc_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

psql -q "$admin" -c "DROP DATABASE IF EXISTS planapi_bench" -c "CREATE DATABASE planapi_bench"
PLANAPI_DATABASE_URL="$bench_db" "$BIN/planapi-fhir" --migrate >"$work/fhir.log" 2>&1
PLANAPI_DATABASE_URL="$bench_db" PLANAPI_GRPC_HOST=127.0.0.1 PLANAPI_GRPC_PORT=$PORT \
  PLANAPI_DB_POOL_SIZE=$POOL_SIZE "$BIN/planapi-fhir" >>"$work/fhir.log" 2>&1 &
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

# A second baseline: COPY of every row the ingest wrote (resources, their history, search index
# and compartment rows), read back from the service's tables and copied into empty tables of the
# same shape and indexes. The first baseline is the issue's; this one says how much of the gap
# is the number of rows a resource needs and how much is the service.
tables=$(psql -tA "$bench_db" -c "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON
  n.oid = c.relnamespace WHERE n.nspname = 'fhir' AND c.relkind = 'r' AND (c.relname IN
  ('resource', 'resource_history', 'compartment') OR c.relname LIKE 'search\_%') ORDER BY 1")
all_rows=0
for t in $tables; do
  psql -q "$bench_db" -c "\\copy fhir.$t TO '$work/all_$t.tsv'" \
    -c "CREATE TABLE copy_all_$t (LIKE fhir.$t INCLUDING ALL)"
  all_rows=$((all_rows + $(wc -l <"$work/all_$t.tsv")))
done
start=$(date +%s.%N)
for t in $tables; do
  echo "\\copy copy_all_$t FROM '$work/all_$t.tsv'"
done | psql -q "$bench_db"
end=$(date +%s.%N)
copy_all_s=$(python3 -c "print($end - $start)")

python3 - "$resources" "$written" "$ingest_s" "$copied" "$copy_s" "$all_rows" "$copy_all_s" <<'PY'
import sys
generated, written, ingest_s, copied, copy_s, all_rows, copy_all_s = sys.argv[1:]
ingest = int(written) / float(ingest_s)
copy = int(copied) / float(copy_s)
copy_all = int(written) / float(copy_all_s)
print(f"{'':32} {'resources':>10} {'seconds':>8} {'per second':>11}")
print(f"{'ingest (planctl import)':32} {int(written):>10} {float(ingest_s):>8.1f} {ingest:>11.0f}")
print(f"{'COPY baseline (resource rows)':32} {int(copied):>10} {float(copy_s):>8.1f} {copy:>11.0f}")
print(f"{'COPY of every row ingest wrote':32} {int(written):>10} {float(copy_all_s):>8.1f} {copy_all:>11.0f}"
      f"   ({int(all_rows)} rows, {int(all_rows) / int(written):.1f} per resource)")
print(f"ingest/COPY = {ingest / copy:.2f} (target >= 0.30); generated {generated}")
print(f"ingest/COPY of every row = {ingest / copy_all:.2f}")
PY

# --- read and search with a patient token ---------------------------------------------------
gw_pid=$(bench_gateway "$GW_PORT" "127.0.0.1:$PORT" 127.0.0.1:50053 "$work/gateway.log")
base="https://localhost:$GW_PORT"
psql -q "$bench_db" -c "VACUUM ANALYZE" >/dev/null

# A member account for the first generated patient and a public app, in the suite's auth.
patient="s$SEED-m0"
user="bench-$(date +%s)"
password=$(openssl rand -hex 12)
redirect="https://localhost/bench-callback"
"$BIN/planctl" member create --realm sandbox --username "$user" --password "$password" \
  --patient "$patient" --addr 127.0.0.1:50051 >/dev/null
client_id=$("$BIN/planctl" client create --realm sandbox --name "bench $user" --type public \
  --redirect-uri "$redirect" --addr 127.0.0.1:50051 |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["client_id"])')

# The launch, as a browser would do it: authorize, the login form, the consent form, the code.
verifier=$(openssl rand -hex 32)
challenge=$(printf '%s' "$verifier" | openssl dgst -sha256 -binary | openssl base64 -A | tr '+/' '-_' | tr -d '=')
jar="$work/cookies"
c() { curl -s --cacert "$ROOT/var/tls/ca.pem" -b "$jar" -c "$jar" "$@"; }
request_of() { python3 -c 'import re,sys; print(re.search(r"name=\"request\" value=\"([^\"]+)\"", sys.stdin.read()).group(1))'; }
scope="launch/patient patient/*.rs"
q=$(python3 -c 'import sys,urllib.parse as u; print(u.urlencode({"response_type":"code","client_id":sys.argv[1],"redirect_uri":sys.argv[2],"scope":sys.argv[3],"state":"bench","aud":sys.argv[4],"code_challenge":sys.argv[5],"code_challenge_method":"S256"}))' \
  "$client_id" "$redirect" "$scope" "$base/sandbox/fhir/r4" "$challenge")
req=$(c "$base/sandbox/auth/authorize?$q" | request_of)
req=$(c --data-urlencode "request=$req" --data-urlencode "username=$user" \
  --data-urlencode "password=$password" "$base/sandbox/auth/login" | request_of)
location=$(c -o /dev/null -w '%{redirect_url}' --data-urlencode "request=$req" \
  --data-urlencode "scope=launch/patient" --data-urlencode "scope=patient/*.rs" \
  --data-urlencode "action=approve" "$base/sandbox/auth/consent")
code=$(python3 -c 'import sys,urllib.parse as u; print(u.parse_qs(u.urlparse(sys.argv[1]).query)["code"][0])' "$location")
token=$(c --data-urlencode grant_type=authorization_code --data-urlencode "code=$code" \
  --data-urlencode "redirect_uri=$redirect" --data-urlencode "client_id=$client_id" \
  --data-urlencode "code_verifier=$verifier" "$base/sandbox/auth/token" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
echo "Launched as $user (patient $patient) with a public client; token of ${#token} bytes"

# Every request carries the member's token.
run_wrk() { bench_wrk -H "Authorization: Bearer $token" "$@"; }

# The member's own resources, read at random by id, and the same rows with pgbench.
python3 - "$work/members/member-0000000.json" "$work/ids.txt" "$work/read.lua" <<'PY'
import json, sys
bundle = json.load(open(sys.argv[1]))
ids = [(e["resource"]["resourceType"], e["resource"]["id"]) for e in bundle.get("entry", [])
       if e["resource"]["resourceType"] not in ("Organization", "Practitioner")]
with open(sys.argv[2], "w") as f:
    for n, (t, i) in enumerate(ids, 1):
        f.write(f"{n}\t{t}\t{i}\n")
with open(sys.argv[3], "w") as f:
    f.write("local paths = {" + ",".join(f'"/sandbox/fhir/r4/{t}/{i}"' for t, i in ids) + "}\n")
    f.write("math.randomseed(42)\nrequest = function() return wrk.format(\"GET\", paths[math.random(#paths)]) end\n")
PY
n_ids=$(wc -l <"$work/ids.txt")
psql -q "$bench_db" -c "DROP TABLE IF EXISTS bench_ids" \
  -c "CREATE TABLE bench_ids (n integer PRIMARY KEY, type text, id text)" \
  -c "\\copy bench_ids FROM '$work/ids.txt'"
cat >"$work/read.sql" <<SQL
\\set n random(1, $n_ids)
SELECT r.content FROM fhir.resource r JOIN bench_ids b ON r.realm = 2 AND r.type = b.type AND r.id = b.id WHERE b.n = :n;
SQL
bench_reads_vs_pgbench "read by id, patient token ($n_ids resources)" \
  "pgbench point reads of the same rows" "$work/read.sql" "$bench_db" \
  -H "Authorization: Bearer $token" -s "$work/read.lua" "$base"

fhir="$base/sandbox/fhir/r4"
printf '\n%-44s %10s %9s %9s\n' search req/s p50_ms p99_ms
while read -r name url; do
  code=$(curl -s --cacert "$ROOT/var/tls/ca.pem" -H "Authorization: Bearer $token" -o "$work/probe.json" -w '%{http_code}' "$fhir/$url")
  matches=$(python3 -c 'import json,sys; b=json.load(open(sys.argv[1])); print(sum(1 for e in b.get("entry",[]) if e.get("search",{}).get("mode")=="match"))' "$work/probe.json" 2>/dev/null || echo "?")
  read -r rps p50 p99 < <(run_wrk "$fhir/$url")
  printf '%-44s %10s %9s %9s   (HTTP %s, %s matches)\n' "$name" "$rps" "$p50" "$p99" "$code" "$matches"
done <<SEARCHES
Observation?patient&category Observation?patient=$patient&category=laboratory
Observation?patient&category&date Observation?patient=Patient/$patient&category=vital-signs&date=ge2015-01-01
Observation?patient&code Observation?patient=$patient&code=http://loinc.org%7C8867-4
DiagnosticReport?patient&category DiagnosticReport?patient=$patient&category=LAB
Condition?patient Condition?patient=$patient
MedicationRequest?patient&intent&_include MedicationRequest?patient=$patient&intent=order&_include=MedicationRequest:medication
Encounter?patient&date Encounter?patient=$patient&date=ge2010
EOB?patient&type&_include=* ExplanationOfBenefit?patient=$patient&type=professional&_include=ExplanationOfBenefit:*
EOB?patient&service-date ExplanationOfBenefit?patient=$patient&service-date=ge2015
Coverage?patient&_include=payor Coverage?patient=$patient&_include=Coverage:payor
AllergyIntolerance?patient&_revinclude AllergyIntolerance?patient=$patient&_revinclude=Provenance:target
Patient/\$everything Patient/$patient/\$everything
SEARCHES
