// The JSON Web Key Set (RFC 7517) of the key ring: what any JWT library needs to verify Signet
// credentials and passports offline.
import type { KeyRing } from './key-ring.js';

export interface Jwk {
  kty: string;
  crv: string;
  x: string;
  y?: string;
  kid: string;
  alg: string;
  use: 'sig';
}

export interface Jwks {
  keys: Jwk[];
}

export function jwksOf(ring: KeyRing): Jwks {
  return { keys: ring.keys().map((k) => ({ ...k.jwk, kid: k.kid, alg: k.alg, use: 'sig' as const })) };
}
