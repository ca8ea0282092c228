#!/usr/bin/env bash
# Provider Directory benchmark (issue 5), in one run on this machine:
#   1. generates PRACTITIONERS (100,000: about 500,000 Plan-Net resources) and loads them with
#      `planctl import` into a directory service of its own (scratch database planapi_bench_dir
#      in the suite's PostgreSQL), behind a gateway of its own on port BENCH_GATEWAY_PORT (8643);
#   2. drives the Plan-Net searches with wrk, CONNECTIONS (8) concurrent clients over HTTPS
#      keep-alive, DURATION (10s) each: requests/s, p50, p99 (target p99 < 100 ms);
#   3. reads Practitioners by id at random through the gateway, and the same rows with pgbench
#      point reads on the same database, same client count (target >= 50% of pgbench).
# POOL_SIZE (nproc) is the directory's PLANAPI_DB_POOL_SIZE: see bench/README.md.
# SKIP_SEARCHES=1 measures only the reads; ROUNDS=N alternates reads and pgbench N times.
# REUSE=1 keeps the scratch database of an earlier run with the same PRACTITIONERS and SEED
# (migrating it to this build) instead of generating and loading again.
# Uses the suite from ./planapi up (started if needed) for PostgreSQL and TLS files.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PRACTITIONERS=${PRACTITIONERS:-100000}
SEED=${SEED:-9}
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-8}
THREADS=${THREADS:-2}
GW_PORT=${BENCH_GATEWAY_PORT:-8643}
DIR_PORT=${BENCH_DIRECTORY_PORT:-50153}
BIN="$ROOT/build/release/bin"

# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
bench_suite_up
admin=$(bench_conninfo postgres)
bench_db=$(bench_conninfo planapi_bench_dir)

work=$(mktemp -d)
pids=()
cleanup() {
  local status=$?
  if [[ $status -ne 0 ]]; then
    for f in "$work"/*.log; do [[ -f "$f" ]] && { echo "--- $f" >&2; tail -n 5 "$f" >&2; }; done
  fi
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

reuse=no
if [[ ${REUSE:-0} == 1 ]] && [[ $(psql -tA "$bench_db" -c \
    "SELECT count(*) FROM directory.resource WHERE type = 'Practitioner' AND id LIKE 's$SEED-prac%'" \
    2>/dev/null) == "$PRACTITIONERS" ]]; then
  reuse=yes
else
  psql -q "$admin" -c "DROP DATABASE IF EXISTS planapi_bench_dir" -c "CREATE DATABASE planapi_bench_dir"
fi
PLANAPI_DATABASE_URL="$bench_db" "$BIN/planapi-directory" --migrate >"$work/directory.log" 2>&1
PLANAPI_DATABASE_URL="$bench_db" PLANAPI_GRPC_HOST=127.0.0.1 PLANAPI_GRPC_PORT=$DIR_PORT \
  PLANAPI_DB_POOL_SIZE=${POOL_SIZE:-$(nproc)} "$BIN/planapi-directory" >>"$work/directory.log" 2>&1 &
pids+=($!)
# The suite's other services stand in for the rest of the routes.
pids+=("$(bench_gateway "$GW_PORT" 127.0.0.1:50052 "127.0.0.1:$DIR_PORT" "$work/gateway.log")")

echo "Generating $PRACTITIONERS practitioners (seed $SEED)"
"$BIN/planctl" generate --directory --practitioners "$PRACTITIONERS" --seed "$SEED" \
  --out "$work/dir" >"$work/generate.json"
if [[ $reuse == yes ]]; then
  echo "Reusing the data loaded by an earlier run"
else
  echo "Loading them"
  start=$(date +%s.%N)
  "$BIN/planctl" import --service directory --addr "127.0.0.1:$DIR_PORT" "$work/dir" >"$work/import.json"
  end=$(date +%s.%N)
  python3 - "$work/import.json" "$start" "$end" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
secs = float(sys.argv[3]) - float(sys.argv[2])
print(f"  {s['resources_written']} resources in {secs:.1f} s ({s['resources_written'] / secs:.0f}/s),"
      f" {len(s['errors'])} refused")
PY
fi
# What autovacuum would do a little later: statistics for the planner, and the visibility map
# that lets the covering indexes answer without visiting the table.
psql -q "$bench_db" -c "VACUUM ANALYZE" >/dev/null

# Search values taken from the generated data itself, so every search finds something.
python3 - "$work/dir" "$SEED" >"$work/searches.txt" <<'PY'
import json, os, sys, urllib.parse
d, seed = sys.argv[1], sys.argv[2]
def first(type_, pred=lambda r: True):
    with open(os.path.join(d, f"{type_}.ndjson")) as f:
        for line in f:
            r = json.loads(line)
            if pred(r):
                return r
role = first("PractitionerRole", lambda r: r.get("specialty") and r.get("location"))
spec = role["specialty"][0]["coding"][0]["code"]
loc_id = role["location"][0]["reference"].split("/")[1]
loc = first("Location", lambda r: r["id"] == loc_id)
city = loc["address"]["city"]
state = loc["address"]["state"]
lat, lon = loc["position"]["latitude"], loc["position"]["longitude"]
prac = first("Practitioner")
family = prac["name"][0]["family"]
net = next(e["valueReference"]["reference"] for e in role.get("extension", [])
           if e["url"].endswith("network-reference"))
org = first("Organization", lambda r: any(t["coding"][0]["code"] == "prvgrp" for t in r.get("type", [])
                                         if t.get("coding")))
q = urllib.parse.quote
searches = [
    ("practitioner-name", f"Practitioner?name={q(family)}"),
    ("practitioner-revinclude", f"Practitioner?family={q(family)}&_revinclude=PractitionerRole:practitioner"),
    ("practitioner-has-specialty", f"Practitioner?_has:PractitionerRole:practitioner:specialty={spec}&_count=20"),
    ("role-specialty-city", f"PractitionerRole?specialty={spec}&location.address-city={q(city)}"
                            "&_include=PractitionerRole:practitioner&_include=PractitionerRole:location"),
    ("role-network", f"PractitionerRole?network={net}&_count=20"),
    ("role-org-name", f"PractitionerRole?organization.name={q(org['name'][:6])}&_count=20"),
    ("location-city-state", f"Location?address-city={q(city)}&address-state={state}"),
    ("location-near", f"Location?near={lat}|{lon}|10|km&_sort=near&_count=20"),
    ("organization-name", f"Organization?name={q(org['name'][:6])}&_revinclude=PractitionerRole:organization&_count=20"),
    ("healthcareservice", f"HealthcareService?_count=20&_include=HealthcareService:location"),
]
for name, url in searches:
    print(name, url)
PY


base="https://localhost:$GW_PORT/directory/r4"
printf '\n%-28s %10s %9s %9s\n' search req/s p50_ms p99_ms
[[ ${SKIP_SEARCHES:-0} == 1 ]] && : >"$work/searches.txt"
while read -r name url; do
  code=$(curl -s --cacert "$ROOT/var/tls/ca.pem" -o "$work/probe.json" -w '%{http_code}' "$base/$url")
  matches=$(python3 -c 'import json,sys; b=json.load(open(sys.argv[1])); print(sum(1 for e in b.get("entry",[]) if e.get("search",{}).get("mode")=="match"))' "$work/probe.json" 2>/dev/null || echo "?")
  read -r rps p50 p99 < <(bench_wrk "$base/$url")
  printf '%-28s %10s %9s %9s   (HTTP %s, %s matches on page 1)\n' "$name" "$rps" "$p50" "$p99" "$code" "$matches"
done <"$work/searches.txt"

# Read by id: the same random Practitioners through the gateway and straight from PostgreSQL.
cat >"$work/read.lua" <<LUA
math.randomseed(42)
request = function()
  return wrk.format("GET", "/directory/r4/Practitioner/s$SEED-prac" .. math.random(1, $PRACTITIONERS))
end
LUA
cat >"$work/read.sql" <<SQL
\set n random(1, $PRACTITIONERS)
SELECT content FROM directory.resource WHERE realm = 3 AND type = 'Practitioner' AND id = 's$SEED-prac' || :n;
SQL
bench_reads_vs_pgbench "read by id (gateway)" "read by id (pgbench)" "$work/read.sql" "$bench_db" \
  -s "$work/read.lua" "https://localhost:$GW_PORT"
