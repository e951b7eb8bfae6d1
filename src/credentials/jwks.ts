// The JSON Web Key Set (RFC 7517) that verifies credentials and passports offline: the live
// certified issuing keys, each with its certificate (`signet_cert`), then the custody keys.
import type { IssuingKeys } from './issuing-keys.js';
import type { KeyRing } from './key-ring.js';

export interface Jwk {
  kty: string;
  crv: string;
  x: string;
  y?: string;
  kid: string;
  alg: string;
  use: 'sig';
  /** On an issuing key: its certificate, a compact JWS by a custody key in this set. */
  signet_cert?: string;
}

export interface Jwks {
  keys: Jwk[];
}

export function jwksOf(ring: KeyRing, issuing?: IssuingKeys): Jwks {
  const certified = (issuing?.keys() ?? []).map((k) => ({ ...k.jwk, kid: k.kid, alg: k.alg, use: 'sig' as const, signet_cert: k.cert }));
  return { keys: [...certified, ...ring.keys().map((k) => ({ ...k.jwk, kid: k.kid, alg: k.alg, use: 'sig' as const }))] };
}
