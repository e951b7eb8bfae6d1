// An agent's own Ed25519 key, held by the agent: its public JWK, did:key and thumbprint (the
// cnf.jkt of its credentials), and the proofs of possession it signs for Issue and presentation.
import { createPrivateKey, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { didKey } from '../credentials/agent-key.js';
import { intentFingerprint, parseIntent, type Intent } from '../credentials/intent.js';
import { issueSigningString, presentationSigningString } from '../credentials/pop.js';
import { jwkThumbprint } from '../signers/keys.js';

export interface AgentPublicJwk {
  kty: 'OKP';
  crv: 'Ed25519';
  x: string;
}

/** A proof as the wire carries it (ProofOfPossession). */
export interface SignedProof {
  timestamp: number;
  nonce: string;
  signature: string;
}

export class AgentKey {
  readonly #private: KeyObject;
  readonly publicJwk: AgentPublicJwk;
  /** did:key:z6Mk…, the agent id Signet gives this key. */
  readonly did: string;
  /** RFC 7638 thumbprint: the cnf.jkt of credentials bound to this key. */
  readonly thumbprint: string;

  private constructor(privateKey: KeyObject) {
    if (privateKey.asymmetricKeyType !== 'ed25519' || privateKey.type !== 'private') throw new TypeError('an agent key is an Ed25519 private key');
    this.#private = privateKey;
    const jwk = privateKey.export({ format: 'jwk' }) as { x: string };
    this.publicJwk = { kty: 'OKP', crv: 'Ed25519', x: jwk.x };
    this.did = didKey(Buffer.from(jwk.x, 'base64url'));
    this.thumbprint = jwkThumbprint(this.publicJwk);
  }

  static generate(): AgentKey {
    return new AgentKey(generateKeyPairSync('ed25519').privateKey);
  }

  /** From a PKCS#8 PEM (as `generate().privatePem()` writes it). */
  static fromPem(pem: string): AgentKey {
    return new AgentKey(createPrivateKey(pem));
  }

  privatePem(): string {
    return this.#private.export({ type: 'pkcs8', format: 'pem' }) as string;
  }

  /**
   * The signed request an Issue carries (`pop`): it covers the intent, the audience, the TTL asked
   * for (`ttl_seconds`, 0 for the default) and the delegation chain, exactly as the request sends them.
   */
  issueProof(intent: Intent, audience: string, terms: { ttlSeconds?: number; delegation?: readonly { sub: string; iss?: string }[] } = {}, now = Date.now()): SignedProof {
    const intentFp = intentFingerprint(parseIntent(intent));
    const full = { intentFp, audience, ttlSeconds: terms.ttlSeconds ?? 0, delegation: terms.delegation ?? [] };
    return this.#sign((ts, nonce) => issueSigningString(full, ts, nonce), now);
  }

  /** The presentation proof for a cnf-bound credential shown to `audience` (VerifyCredential's `presentation`). */
  presentationProof(token: string, audience: string, now = Date.now()): SignedProof {
    return this.#sign((ts, nonce) => presentationSigningString(token, audience, ts, nonce), now);
  }

  #sign(message: (timestamp: number, nonce: string) => string, now: number): SignedProof {
    const timestamp = Math.floor(now / 1000);
    const nonce = randomBytes(18).toString('base64url');
    const signature = sign(null, Buffer.from(message(timestamp, nonce), 'utf8'), this.#private).toString('base64url');
    return { timestamp, nonce, signature };
  }
}
