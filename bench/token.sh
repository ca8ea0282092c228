#!/usr/bin/env bash
# Token benchmark (issue 3): the token endpoint's throughput (client_credentials with
# private_key_jwt, and the whole authorization_code + PKCE flow) against oidc-provider (npm) run
# by the same script in the same run, and the gateway's cost of verifying a cached token. Uses
# the suite from ./planapi up (started if needed) and its demo member. Prints figures; asserts
# nothing. Options (bench/README.md): DURATION, CONCURRENCY, ROUNDS, ASSERTIONS_ES384,
# ASSERTIONS_RS384, VERIFY_SECONDS.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PORT=${PLANAPI_GATEWAY_PORT:-8443}
AUTH=${PLANAPI_AUTH_ADDR:-127.0.0.1:${PLANAPI_GRPC_PORT_BASE:-50051}}
BASE="https://localhost:$PORT"
PLANCTL="$ROOT/build/release/bin/planctl"

if ! curl -sf --cacert "$ROOT/var/tls/ca.pem" "$BASE/readyz" >/dev/null 2>&1; then
  "$ROOT/planapi" up >/dev/null
fi
cd "$ROOT/bench/token"
[[ -d node_modules/oidc-provider ]] || npm ci --no-audit --no-fund --loglevel=error
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

node token.mjs keygen >"$work/key.json"
jq '.jwks' "$work/key.json" >"$work/jwks.json"
stamp=$(date +%s)
"$PLANCTL" client create --realm sandbox --type backend --name "bench backend $stamp" \
  --jwks "$work/jwks.json" --scope system/Coverage.rs --addr "$AUTH" >"$work/backend.json"
"$PLANCTL" client create --realm sandbox --type confidential --name "bench app $stamp" \
  --redirect-uri https://bench.example/cb --addr "$AUTH" >"$work/app.json"
# shellcheck disable=SC1091
source "$ROOT/var/auth/demo.env"

# The processes whose CPU time the figures count: the suite's gateway, auth and fhir, and
# PostgreSQL (the postmaster and its children).
pid_of() { cat "$ROOT/var/run/$1.pid" 2>/dev/null || echo 0; }
pg_pid=$(head -1 "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["postgres"]["data_dir"])' \
  "$ROOT/var/up.json")/postmaster.pid" 2>/dev/null || echo 0)

PLANAPI_BENCH=$(jq -n --arg base "$BASE" --arg password "$DEMO_MEMBER_PASSWORD" \
  --slurpfile key "$work/key.json" --slurpfile backend "$work/backend.json" \
  --slurpfile app "$work/app.json" --arg cert "$ROOT/var/tls/server.pem" \
  --arg tlskey "$ROOT/var/tls/server.key" --argjson gateway "$(pid_of gateway)" \
  --argjson fhir "$(pid_of fhir)" --argjson auth "$(pid_of auth)" --argjson postgres "$pg_pid" '{
    base: $base, redirect_uri: "https://bench.example/cb", jwks: $key[0].jwks,
    backend: {client_id: $backend[0].client_id, private_jwks: $key[0].private_jwks},
    confidential: {client_id: $app[0].client_id, client_secret: $app[0].client_secret},
    member: {username: "demo-member", password: $password, patient: "demo-member"},
    tls: {cert: $cert, key: $tlskey},
    pids: {gateway: $gateway, fhir: $fhir, auth: $auth, postgres: $postgres}}')
PLANAPI_BENCH=$PLANAPI_BENCH NODE_EXTRA_CA_CERTS="$ROOT/var/tls/ca.pem" node token.mjs
