// Credentials in certified mode on a counting custody signer, an in-memory ledger and a settable
// clock; plus an independent chain check (node:crypto only) from custody key to credential.
import { createHash, createPublicKey, generateKeyPairSync, verify, type KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCredentials, type CredentialAuthority, type CredentialsOptions } from '../../src/credentials/index.js';
import { openSigner, type Signer } from '../../src/signers/index.js';
import { MemoryLedger } from '../helpers/memory-ledger.js';

export const ISSUER = 'https://signet.test';
export const INTENT = { action: 'repo:read', resource: 'github.com/acme/app' };
export const AUD = 'https://api.github.com';
export const POLICY = `
version: 1
rules:
  - name: ci-repos
    agents: [{group: ci}]
    actions: ["repo:read"]
    resources: ["github.com/acme/**"]
    max_ttl: 120
`;

/** A custody signer that counts its signatures (the custody calls a credential costs). */
export function countingSigner(inner: Signer): Signer & { signatures: number } {
  const counted = {
    signatures: 0,
    driver: inner.driver,
    uri: inner.uri,
    algorithm: inner.algorithm,
    hardwareBacked: inner.hardwareBacked,
    keyId: () => inner.keyId(),
    publicKey: (v?: string) => inner.publicKey(v),
    sign: (input: Parameters<Signer['sign']>[0], o?: Parameters<Signer['sign']>[1]) => {
      counted.signatures++;
      return inner.sign(input, o);
    },
    signMany: (inputs: Parameters<Signer['signMany']>[0], o?: Parameters<Signer['signMany']>[1]) => {
      counted.signatures += inputs.length;
      return inner.signMany(inputs, o);
    },
    close: () => inner.close(),
  };
  return counted;
}

export interface CertifiedFixture {
  creds: CredentialAuthority;
  ledger: MemoryLedger;
  custody: Signer & { signatures: number };
  clock: { t: number };
  dir: string;
  agentId: string;
  close(): Promise<void>;
}

export async function certifiedFixture(o: { alg?: 'ed25519' | 'p256'; signSeconds?: number; custody?: Signer; extra?: Partial<CredentialsOptions>; dir?: string } = {}): Promise<CertifiedFixture> {
  const dir = o.dir ?? mkdtempSync(join(tmpdir(), 'signet-certified-'));
  const custody = countingSigner(o.custody ?? (await openSigner(`file://${dir}/custody.pem?create=true&alg=${o.alg ?? 'ed25519'}`)));
  const ledger = new MemoryLedger();
  const clock = { t: Date.now() };
  const creds = await createCredentials({
    signer: custody,
    ledger,
    issuer: ISSUER,
    db: join(dir, 'credentials.db'),
    policyText: POLICY,
    reloadOnSighup: false,
    signing: 'certified',
    issuingKeySeconds: o.signSeconds ?? 600,
    issuingKeyTickMs: 0,
    now: () => clock.t,
    ...o.extra,
  });
  const jwk = generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' });
  const agent = await creds.agents.register({ name: 'ci-agent', publicKeyJwk: jwk, owner: 'ops@example.com', groups: ['ci'] });
  return {
    creds,
    ledger,
    custody,
    clock,
    dir,
    agentId: agent.id,
    async close() {
      await creds.close();
      await custody.close();
      if (!o.dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

const b64json = (part: string) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));

/** RFC 7638 thumbprint of an Ed25519 JWK, computed here rather than by Signet's code. */
export function thumbprint(jwk: { crv: string; kty: string; x: string }): string {
  return createHash('sha256').update(`{"crv":"${jwk.crv}","kty":"${jwk.kty}","x":"${jwk.x}"}`).digest('base64url');
}

function jwsVerifies(token: string, key: KeyObject): boolean {
  const [h, p, s] = token.split('.') as [string, string, string];
  const header = b64json(h);
  const input = Buffer.from(`${h}.${p}`);
  const sig = Buffer.from(s, 'base64url');
  return header.alg === 'EdDSA' ? verify(null, input, key, sig) : verify('sha256', input, { key, dsaEncoding: 'ieee-p1363' }, sig);
}

/**
 * An auditor's check, trusting only the custody public key (SPKI PEM): the certificate is signed by
 * it, certifies the key named by the credential's kid, and covers the credential's iat..exp; the
 * credential is signed by that key. Returns the certificate's claims, or throws saying why not.
 */
export function auditChain(token: string, certificate: string, custodyPem: string): Record<string, unknown> {
  const custody = createPublicKey(custodyPem);
  const certHeader = b64json(certificate.split('.')[0]!);
  const cert = b64json(certificate.split('.')[1]!);
  if (certHeader.typ !== 'signet-issuing-key+jwt') throw new Error(`certificate typ ${certHeader.typ}`);
  if (!jwsVerifies(certificate, custody)) throw new Error('the certificate is not signed by the custody key');
  const header = b64json(token.split('.')[0]!);
  const claims = b64json(token.split('.')[1]!);
  if (cert.purpose !== 'credentials') throw new Error(`purpose ${cert.purpose}`);
  if (thumbprint(cert.jwk) !== header.kid || cert.sub !== header.kid) throw new Error('the certificate is for another key');
  if (!jwsVerifies(token, createPublicKey({ key: cert.jwk, format: 'jwk' }))) throw new Error('the credential is not signed by the certified key');
  if (claims.iat < cert.nbf || claims.exp > cert.exp) throw new Error('the credential is outside the certificate');
  return cert;
}
