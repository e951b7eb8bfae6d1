// An agent's Ed25519 public key: parsed from a JWK, named by did:key (multicodec 0xed01 +
// base58btc), thumbprinted (RFC 7638, the `cnf.jkt` value) and turned into a node:crypto key.
import { createPublicKey, type KeyObject } from 'node:crypto';
import { decodeBase64url } from '../lib/base64url.js';
import { invalidArgument } from '../lib/errors.js';
import { parseStrictJson } from '../lib/strict-json.js';
import { jwkThumbprint } from '../signers/keys.js';
import type { PublicJwk } from '../signers/contract.js';
import { base58btc } from './base58.js';

export interface AgentKey {
  jwk: PublicJwk;
  did: string;
  thumbprint: string;
  key: KeyObject;
}

/** An Ed25519 JWK is ~100 bytes; room for optional members (kid, use, key_ops), no more. */
const JWK_JSON_BOUNDS = { maxBytes: 4096, maxDepth: 4 };
const ED25519_MULTICODEC = Uint8Array.of(0xed, 0x01);

export function parseAgentJwk(value: unknown, field = 'public_key_jwk'): AgentKey {
  let jwk: unknown = value;
  if (typeof value === 'string') jwk = parseStrictJson(value, field, JWK_JSON_BOUNDS);
  if (typeof jwk !== 'object' || jwk === null) throw invalidArgument(field, 'must be a JWK object');
  const j = jwk as Record<string, unknown>;
  if (j.kty !== 'OKP' || j.crv !== 'Ed25519') throw invalidArgument(field, 'an agent key is an Ed25519 JWK (kty OKP, crv Ed25519)');
  if ('d' in j) throw invalidArgument(field, 'contains a private key (d); send only the public key');
  if (typeof j.x !== 'string' || !/^[A-Za-z0-9_-]{43}$/.test(j.x)) throw invalidArgument(`${field}.x`, 'must be 32 bytes, base64url');
  // The last of 43 characters has 2 unused bits: only the canonical encoding is accepted, else the
  // same key (same did) would have several thumbprints (cnf.jkt).
  const raw = decodeBase64url(j.x);
  if (!raw || raw.length !== 32) throw invalidArgument(field, 'x is not the canonical base64url encoding of the key (unused bits set)');
  const clean: PublicJwk = { kty: 'OKP', crv: 'Ed25519', x: j.x };
  let key: KeyObject;
  try {
    key = createPublicKey({ key: { ...clean }, format: 'jwk' });
  } catch {
    throw invalidArgument(field, 'is not a valid Ed25519 public key');
  }
  return { jwk: clean, did: didKey(raw), thumbprint: jwkThumbprint(clean), key };
}

/** did:key:z6Mk… for a raw 32-byte Ed25519 public key. */
export function didKey(raw: Uint8Array): string {
  const bytes = new Uint8Array(34);
  bytes.set(ED25519_MULTICODEC, 0);
  bytes.set(raw, 2);
  return `did:key:z${base58btc(bytes)}`;
}

/**
 * Parsed agent public keys by agent id. Safe to cache: an agent's id is derived from its key, so
 * the key under an id never changes. Bounded: cleared when it reaches `max` entries.
 */
export class AgentKeyCache {
  readonly #keys = new Map<string, KeyObject>();
  readonly #max: number;

  constructor(max = 10_000) {
    this.#max = max;
  }

  keyOf(agent: { id: string; publicKeyJwk: unknown }): KeyObject {
    let key = this.#keys.get(agent.id);
    if (!key) {
      key = parseAgentJwk(agent.publicKeyJwk).key;
      if (this.#keys.size >= this.#max) this.#keys.clear();
      this.#keys.set(agent.id, key);
    }
    return key;
  }
}
