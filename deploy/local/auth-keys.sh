#!/usr/bin/env bash
# Makes the auth service's secrets for a local run or a test, in DIR:
#   client_secret_key  base64 of 32 random bytes: seals client secrets at rest (AES-256-GCM)
#   signing_keys.pem   an EC P-256 key (signs access tokens, ES256) and an RSA 2048 key (signs
#                      id_tokens, RS256), PEM one after the other
# Idempotent: existing files are kept, so stored secrets stay readable and issued tokens valid.
# To rotate signing keys, put a new key first in signing_keys.pem and keep the old ones listed
# until the tokens they signed have expired (docs/auth.md).
set -euo pipefail
dir=${1:?usage: auth-keys.sh DIR}
mkdir -p "$dir"
cd "$dir"
umask 077
if [[ ! -s client_secret_key ]]; then
  openssl rand -base64 32 >client_secret_key.tmp
  mv client_secret_key.tmp client_secret_key
fi
if [[ ! -s signing_keys.pem ]]; then
  {
    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 2>/dev/null
    openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 2>/dev/null
  } >signing_keys.pem.tmp
  mv signing_keys.pem.tmp signing_keys.pem
fi
