// The keys that sign for Signet itself, known by key identity (RFC 7638 thumbprint), not by name:
// a second key entry holding the same key material, or an earlier ledger key, must never reach Sign.
import { createPublicKey } from 'node:crypto';
import { SignetError } from '../lib/errors.js';
import { decodeBase64Strict } from '../ledger/checkpoint.js';
import { ed25519Spki, publicKeyInfo } from '../signers/keys.js';
import type { KeySet, NamedKey } from './key-set.js';

/** The key id of a ledger.previous_keys entry: a note vkey ("name+id+base64") or PEM text. */
export function previousKeyId(text: string, field = 'ledger.previous_keys'): string {
  try {
    return keyIdOf(text);
  } catch (err) {
    throw new SignetError('CONFIG', `config: ${field} is not a public key (PEM) or a note vkey`, { field, cause: err });
  }
}

function keyIdOf(text: string): string {
  const vkey = /^[^+\s]+\+[0-9a-f]{8}\+(\S+)$/.exec(text.trim());
  if (vkey) {
    const blob = decodeBase64Strict(vkey[1]!);
    if (!blob || blob.length < 2) throw new Error('the vkey holds no key');
    // Signed-note key types: 0x01 Ed25519 (raw 32 bytes), 0x02 ECDSA (DER SPKI).
    return publicKeyInfo(blob[0] === 0x01 ? ed25519Spki(blob.subarray(1)) : blob.subarray(1)).keyId;
  }
  return publicKeyInfo(createPublicKey(text).export({ type: 'spki', format: 'der' })).keyId;
}

export class ReservedKeys {
  readonly #keys: KeySet;
  readonly #byName: ReadonlyMap<string, string>;
  readonly #previous: ReadonlyMap<string, string>;

  /**
   * `byName`: configured key name → what it signs for Signet; `previous`: key id → what verifiers
   * still trust it for (earlier ledger keys).
   */
  constructor(keys: KeySet, byName: ReadonlyMap<string, string>, previous: ReadonlyMap<string, string> = new Map()) {
    this.#keys = keys;
    this.#byName = byName;
    this.#previous = previous;
  }

  /** What `key` signs for Signet — by its name, or because it is the same key as one that does. */
  purposeOf(key: NamedKey): string | undefined {
    return this.#byName.get(key.name) ?? this.#sameKey(key)?.purpose;
  }

  /** Refuses (CONFIG) a config where a key offered to Sign is one Signet signs with, under another name. */
  checkNoAliases(): void {
    for (const key of this.#keys.list()) {
      if (this.#byName.has(key.name)) continue;
      const same = this.#sameKey(key);
      if (!same) continue;
      const fix = 'remove it, or give Sign a key of its own: Sign would let a caller forge what verifiers trust';
      const what = same.name ? `the same key as "${same.name}" (key id ${key.signer.keyId()}), which signs ${same.purpose}` : `${same.purpose} (key id ${key.signer.keyId()})`;
      throw new SignetError('CONFIG', `config: key "${key.name}" is ${what} for Signet itself; ${fix}`, { field: `keys.${key.name}` });
    }
  }

  #sameKey(key: NamedKey): { name?: string; purpose: string } | undefined {
    const id = key.signer.keyId();
    for (const [name, purpose] of this.#byName) {
      if (this.#keys.byName(name)?.signer.keyId() === id) return { name, purpose };
    }
    const previous = this.#previous.get(id);
    return previous === undefined ? undefined : { purpose: previous };
  }
}
