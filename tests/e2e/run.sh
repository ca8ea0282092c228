#!/usr/bin/env bash
# Runs launch.mjs (openid-client + headless Chromium) against a running planapi; the integration
# test e2e_test.cc starts the suite and calls this with PLANAPI_E2E and NODE_EXTRA_CA_CERTS set.
# Installs the npm packages from package-lock.json on first use.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
command -v node >/dev/null || { echo "node is missing (apt-get install nodejs npm)"; exit 3; }
[[ -x /usr/bin/chromium ]] || { echo "/usr/bin/chromium is missing (apt-get install chromium)"; exit 3; }
if [[ ! -d "$HERE/node_modules/openid-client" || ! -d "$HERE/node_modules/playwright-core" ||
      ! -d "$HERE/node_modules/fhir-kit-client" ]]; then
  (cd "$HERE" && npm ci --no-audit --no-fund --loglevel=error)
fi
exec node "$HERE/launch.mjs"
