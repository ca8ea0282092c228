#!/usr/bin/env bash
# Makes a local certificate authority and a certificate for localhost, signed by it, in DIR:
#   ca.pem ca.key          the CA (trust ca.pem in clients: curl --cacert, NODE_EXTRA_CA_CERTS)
#   server.pem server.key  localhost, 127.0.0.1 and ::1; ECDSA P-256, valid 825 days
# Idempotent: existing files are kept, so a browser that trusts the CA keeps trusting it.
set -euo pipefail
dir=${1:?usage: tls.sh DIR [EXTRA_DNS_NAME...]}
shift
mkdir -p "$dir"
cd "$dir"
umask 077
if [[ ! -s ca.pem || ! -s ca.key ]]; then
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 3650 \
    -subj "/O=planapi local/CN=planapi local CA" -keyout ca.key -out ca.pem \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    2>/dev/null
fi
if [[ ! -s server.pem || ! -s server.key ]]; then
  san="DNS:localhost,IP:127.0.0.1,IP:::1"
  for name in "$@"; do san="$san,DNS:$name"; done
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -subj "/O=planapi local/CN=localhost" -keyout server.key -out server.csr 2>/dev/null
  openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 825 \
    -extfile <(printf 'subjectAltName=%s\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature\nbasicConstraints=CA:FALSE\n' "$san") \
    -out server.pem 2>/dev/null
  rm -f server.csr ca.srl
fi
chmod 644 ca.pem server.pem
