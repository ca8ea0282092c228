#!/usr/bin/env bash
# Makes the deployment's service key for a local run: base64 of 32 random bytes in FILE. Every
# process of the suite (and planctl) holds it and proves its identity with it on internal gRPC
# calls (libs/rpc/identity.h). Idempotent: an existing key is kept.
set -euo pipefail
file=${1:?usage: service-key.sh FILE}
mkdir -p "$(dirname "$file")"
umask 077
if [[ ! -s $file ]]; then
  openssl rand -base64 32 >"$file.tmp"
  mv "$file.tmp" "$file"
fi
