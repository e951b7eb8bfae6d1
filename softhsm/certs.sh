#!/bin/sh
# A throwaway CA, a server certificate and client certificates for Signet, made once in $CERTS_DIR
# (a volume in docker compose; a temp dir in the tests). Idempotent: existing files are kept.
# The CA key stays in $CA_DIR, which the Signet container does not mount.
#   server.pem/.key  the gRPC port's certificate: DNS names $SERVER_NAMES, IP 127.0.0.1
#   client.pem/.key  a client certificate for you (CN=client, URI SAN spiffe://signet.local/client)
#   health.pem/.key  the container's own health probe (CN=signet-health)
#   ca.pem           the CA: clients trust it, and Signet accepts client certificates it issued
set -eu

CERTS_DIR="${CERTS_DIR:-/certs}"
CA_DIR="${CA_DIR:-/ca}"
SERVER_NAMES="${SERVER_NAMES:-signet,localhost}"
DAYS="${CERT_DAYS:-365}"
OWNER="${SIGNET_UID:-1000}:${SIGNET_GID:-1000}"

umask 077
mkdir -p "$CERTS_DIR" "$CA_DIR"
chmod 0755 "$CERTS_DIR"

if [ ! -f "$CA_DIR/ca.key" ]; then
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$CA_DIR/ca.key" \
    -out "$CERTS_DIR/ca.pem" -days "$DAYS" -subj "/CN=Signet throwaway CA" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
  echo "made a throwaway CA: $CERTS_DIR/ca.pem (its key stays in $CA_DIR)"
fi

# issue NAME SUBJECT EXTENSIONS
issue() {
  if [ -f "$CERTS_DIR/$1.pem" ]; then
    echo "$1.pem already exists"
    return
  fi
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$CERTS_DIR/$1.key" \
    -out "$CA_DIR/$1.csr" -subj "$2" 2>/dev/null
  printf '%b' "$3" > "$CA_DIR/$1.ext"
  openssl x509 -req -in "$CA_DIR/$1.csr" -CA "$CERTS_DIR/ca.pem" -CAkey "$CA_DIR/ca.key" -CAcreateserial \
    -CAserial "$CA_DIR/ca.srl" -out "$CERTS_DIR/$1.pem" -days "$DAYS" -extfile "$CA_DIR/$1.ext" 2>/dev/null
  echo "issued $1.pem"
}

sans=""
old_ifs=$IFS
IFS=,
for name in $SERVER_NAMES; do sans="${sans}DNS:${name},"; done
IFS=$old_ifs
issue server "/CN=signet" "subjectAltName=${sans}IP:127.0.0.1\nextendedKeyUsage=serverAuth\n"
issue client "/CN=client" "subjectAltName=URI:spiffe://signet.local/client\nextendedKeyUsage=clientAuth\n"
issue health "/CN=signet-health" "subjectAltName=URI:spiffe://signet.local/health\nextendedKeyUsage=clientAuth\n"

chmod 0644 "$CERTS_DIR"/*.pem
chmod 0600 "$CERTS_DIR"/*.key
# Signet runs as an unprivileged user (node, uid 1000) and must read its key and the probe's.
if [ "$(id -u)" = 0 ]; then chown "$OWNER" "$CERTS_DIR" "$CERTS_DIR"/*.key "$CERTS_DIR"/*.pem; fi
echo "done: certificates in $CERTS_DIR"
