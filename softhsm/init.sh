#!/bin/sh
# Creates Signet's SoftHSM token and the Ed25519 keys its configuration names (default, ledger,
# issuer) in $SOFTHSM_DIR, a volume Signet mounts. Idempotent: an existing token or key is kept.
# Never prints the PINs.
set -eu

SOFTHSM_DIR="${SOFTHSM_DIR:-/var/lib/signet-softhsm}"
# The SO PIN lives apart from the token files Signet mounts: Signet never needs it, and must not read it.
SO_PIN_DIR="${SO_PIN_DIR:-/var/lib/signet-softhsm-so}"
TOKEN_LABEL="${TOKEN_LABEL:-signet}"
MODULE="${PKCS11_MODULE:-/usr/lib/softhsm/libsofthsm2.so}"
: "${SIGNET_PIN:?set SIGNET_PIN to the user PIN of the token}"

mkdir -p "$SOFTHSM_DIR/tokens"
export SOFTHSM2_CONF="$SOFTHSM_DIR/softhsm2.conf"
if [ ! -f "$SOFTHSM2_CONF" ]; then
  printf 'directories.tokendir = %s/tokens\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n' \
    "$SOFTHSM_DIR" > "$SOFTHSM2_CONF"
  echo "wrote $SOFTHSM2_CONF"
fi

if softhsm2-util --show-slots | grep -Eq "^[[:space:]]*Label:[[:space:]]+${TOKEN_LABEL}[[:space:]]*\$"; then
  echo "token \"$TOKEN_LABEL\" already exists"
else
  SO_PIN="${SIGNET_SO_PIN:-}"
  if [ -z "$SO_PIN" ]; then
    SO_PIN="$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
    (umask 077 && mkdir -p "$SO_PIN_DIR" && chmod 0700 "$SO_PIN_DIR" && printf '%s\n' "$SO_PIN" > "$SO_PIN_DIR/so-pin")
    echo "SO PIN written to $SO_PIN_DIR/so-pin (mode 0600; not in the volume Signet mounts)"
  fi
  softhsm2-util --init-token --free --label "$TOKEN_LABEL" --so-pin "$SO_PIN" --pin "$SIGNET_PIN" >/dev/null
  echo "initialised token \"$TOKEN_LABEL\" in $SOFTHSM_DIR/tokens"
fi

p11() {
  pkcs11-tool --module "$MODULE" --token-label "$TOKEN_LABEL" --login --pin "$SIGNET_PIN" "$@"
}

# key LABEL KEY-TYPE ID: generates the pair inside the token (private half sensitive, never extractable).
key() {
  if p11 --list-objects --type privkey --label "$1" 2>/dev/null | grep -q "label:[[:space:]]*$1\$"; then
    echo "key \"$1\" already exists"
  else
    p11 --keypairgen --key-type "$2" --label "$1" --id "$3" --usage-sign >/dev/null
    echo "generated key \"$1\" ($2) inside the token"
  fi
}

key default EC:edwards25519 01
key ledger EC:edwards25519 02
key issuer EC:edwards25519 03

# Signet runs as an unprivileged user (node, uid 1000): hand it the token files, which it must lock.
if [ "$(id -u)" = 0 ]; then
  chown -R "${SIGNET_UID:-1000}:${SIGNET_GID:-1000}" "$SOFTHSM_DIR"
fi
echo "done: SOFTHSM2_CONF=$SOFTHSM2_CONF"
