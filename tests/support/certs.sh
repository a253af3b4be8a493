#!/usr/bin/env bash
# Makes throwaway TLS material for the tests (never for production) in <dir>:
#   ca.pem/ca.key                 a test CA
#   server.pem/server.key         signed by the CA for DNS:localhost and IP:127.0.0.1  -> must verify
#   selfsigned.pem/selfsigned.key self-signed, same names                              -> untrusted
#   wrongname.pem/wrongname.key   signed by the CA for DNS:wrong.invalid only         -> wrong name
#   other-ca.pem                  an unrelated CA (for "trusts the wrong CA" checks)
# Usage: certs.sh <dir>
set -euo pipefail
dir=${1:?usage: certs.sh <dir>}
mkdir -p "$dir"
tmp=$(mktemp -d "$dir/.tmp.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"

days=30
openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days "$days" -keyout ca.key -out ca.pem \
  -subj "/CN=Valory Test CA" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days "$days" -keyout other-ca.key -out other-ca.pem \
  -subj "/CN=Valory Other Test CA" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null

leaf() {  # name CN SAN
  local name=$1 cn=$2 san=$3
  openssl req -newkey rsa:2048 -nodes -sha256 -keyout "$name.key" -out "$name.csr" -subj "/CN=$cn" 2>/dev/null
  printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=%s\n' \
    "$san" > "$name.ext"
  openssl x509 -req -in "$name.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -days "$days" -sha256 \
    -extfile "$name.ext" -out "$name.pem" 2>/dev/null
}
leaf server localhost "DNS:localhost,IP:127.0.0.1"
leaf wrongname wrong.invalid "DNS:wrong.invalid"
openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days "$days" -keyout selfsigned.key -out selfsigned.pem \
  -subj "/CN=localhost" -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
  -addext "extendedKeyUsage=serverAuth" 2>/dev/null

# Sanity: the good one verifies against the CA, the others do not (by chain or by name).
openssl verify -CAfile ca.pem server.pem >/dev/null
openssl verify -CAfile ca.pem -verify_hostname localhost server.pem >/dev/null
if openssl verify -CAfile ca.pem selfsigned.pem >/dev/null 2>&1; then
  echo "certs: self-signed certificate unexpectedly verifies" >&2; exit 1
fi
if openssl verify -CAfile ca.pem -verify_hostname localhost wrongname.pem >/dev/null 2>&1; then
  echo "certs: wrong-name certificate unexpectedly verifies for localhost" >&2; exit 1
fi

chmod 600 ./*.key
mv -f ca.pem ca.key other-ca.pem server.pem server.key selfsigned.pem selfsigned.key wrongname.pem wrongname.key "$dir/"
echo "certs: wrote test CA and certificates to $dir"
