// A credentials domain on a file key, an in-memory ledger and a settable clock, plus agents with
// their own Ed25519 keys, for the unit tests of test/credentials.
import { generateKeyPairSync, randomBytes, sign as nodeSign, type KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCredentials, POP_METHOD_ISSUE, type CredentialAuthority, type ProofOfPossession } from '../../src/credentials/index.js';
import { openSigner, type KeyAlgorithm, type Signer } from '../../src/signers/index.js';
import { MemoryLedger } from '../helpers/memory-ledger.js';

export const ISSUER = 'https://signet.test';

export const TEST_POLICY = `
version: 1
defaults:
  max_ttl: 60s
rules:
  - name: deny-prod-delete
    effect: deny
    agents: ["*"]
    actions: ["repo:delete"]
    resources: ["github.com/acme/prod-*"]
  - name: ci-repos
    agents: [{group: ci}]
    actions: ["repo:read", "repo:delete"]
    resources: ["github.com/acme/**"]
    audiences: ["https://api.github.com"]
    max_ttl: 120
  - name: payments-signed
    agents: [{labels: {team: payments}}]
    actions: ["payments:*"]
    resources: ["ledger/*"]
    require_pop: true
  - name: ci-acts-for-people
    agents: [{group: ci}]
    actions: ["repo:read"]
    resources: ["github.com/acme/**"]
    delegation: ["user:*", "svc:*"]
  - name: once
    agents: [{group: ci}]
    actions: ["deploy"]
    resources: ["env/**"]
    single_use: true
`;

export interface TestAgent {
  id: string;
  privateKey: KeyObject;
  jwk: { kty: string; crv: string; x: string };
}

export interface Fixture {
  creds: CredentialAuthority;
  ledger: MemoryLedger;
  signer: Signer;
  dir: string;
  clock: { t: number };
  agent(groups?: string[], labels?: Record<string, string>): Promise<TestAgent>;
  close(): Promise<void>;
}

export async function makeFixture(options: { alg?: KeyAlgorithm; popMode?: 'strict' | 'permissive'; policyText?: string; policy?: string } = {}): Promise<Fixture> {
  const dir = mkdtempSync(join(tmpdir(), 'signet-cred-'));
  const alg = options.alg ?? 'Ed25519';
  const signer = await openSigner(`file://${dir}/issuer.pem?create=true&alg=${alg === 'Ed25519' ? 'ed25519' : 'p256'}`);
  const ledger = new MemoryLedger();
  const clock = { t: Date.now() };
  const creds = await createCredentials({
    signer,
    ledger,
    issuer: ISSUER,
    db: join(dir, 'credentials.db'),
    ...(options.policy ? { policy: options.policy } : { policyText: options.policyText ?? TEST_POLICY }),
    popMode: options.popMode ?? 'strict',
    reloadOnSighup: false,
    now: () => clock.t,
  });
  let n = 0;
  return {
    creds,
    ledger,
    signer,
    dir,
    clock,
    async agent(groups = ['ci'], labels = {}) {
      const { publicKey, privateKey } = generateKeyPairSync('ed25519');
      const jwk = publicKey.export({ format: 'jwk' }) as TestAgent['jwk'];
      const agent = await creds.agents.register({ name: `agent-${++n}`, publicKeyJwk: jwk, owner: 'alice@example.com', groups, labels });
      return { id: agent.id, privateKey, jwk };
    },
    async close() {
      await creds.close();
      await signer.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The agent's signed request, made the way a client would: over the canonical string of every
 * term it agrees to (SIGNET-POP-V2: intent_fp, audience, ttl_seconds, delegation as JCS).
 */
export function signRequest(
  agent: { privateKey: KeyObject },
  intentFp: string,
  audience: string,
  timestampSeconds: number,
  nonce = randomBytes(16).toString('base64url'),
  terms: { ttlSeconds?: number; delegation?: { sub: string; iss?: string }[] } = {},
): ProofOfPossession {
  const delegation = terms.delegation?.length ? JSON.stringify(terms.delegation.map((a) => (a.iss ? { iss: a.iss, sub: a.sub } : { sub: a.sub }))) : '';
  const text = ['SIGNET-POP-V2', POP_METHOD_ISSUE, intentFp, audience, String(terms.ttlSeconds ?? 0), delegation, String(timestampSeconds), nonce].join('\n');
  return { timestamp: timestampSeconds, nonce, signature: nodeSign(null, Buffer.from(text), agent.privateKey).toString('base64url') };
}
