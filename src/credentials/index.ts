// Builds the credentials domain from configuration: stores, policy, key ring, issuer, verifier,
// passports. The server's start-up calls createCredentials and hands the result to the service.
import { silentLogger, type Logger } from '../lib/logger.js';
import type { PgOptions } from '../lib/pg.js';
import type { LedgerAppender } from '../ledger/contract.js';
import type { PublicKeyInfo, Signer } from '../signers/contract.js';
import { AgentRegistry } from './agents.js';
import { CredentialAuthority } from './authority.js';
import { Issuer } from './issuer.js';
import { IssuingKeys } from './issuing-keys.js';
import { KeyRing, type RingKey } from './key-ring.js';
import { credentialsKeyRotationRecord } from './ledger-records.js';
import { MemoryNonceStore, type NonceStore } from './nonce-store.js';
import { MAX_PASSPORT_TTL_SECONDS, Passports } from './passport.js';
import { PolicySource } from './policy-source.js';
import { PopVerifier, type PopMode } from './pop.js';
import { openPgState, openSqliteState } from './state-stores.js';
import { Verifier } from './verifier.js';

export interface CredentialsOptions {
  /** The issuing key (credentials.key). */
  signer: Signer;
  ledger: LedgerAppender;
  /** The `iss` of every credential (credentials.issuer). */
  issuer: string;
  /** SQLite path, or ':memory:' (credentials.db); not used when `postgres` is given. */
  db: string;
  /** Keep the credential state on PostgreSQL, shared by every replica (credentials.store: postgres). */
  postgres?: PgOptions;
  /** Policy file path (credentials.policy); absent → default deny for everything. */
  policy?: string;
  /** Policy text instead of a file (tests, embedding). */
  policyText?: string;
  defaultTtlSeconds?: number;
  maxTtlSeconds?: number;
  skewSeconds?: number;
  popMode?: PopMode;
  popWindowSeconds?: number;
  passportTtlSeconds?: number;
  nonces?: NonceStore;
  /** Keys rotated out before this start, still verifying until retiredAt + retention. */
  retiredKeys?: Array<{ key: PublicKeyInfo; retiredAt: number }>;
  /**
   * certified: a short-lived in-memory Ed25519 issuing key signs credentials and the custody key
   * signs one certificate per issuing key; direct (the default here): the custody key signs each.
   */
  signing?: 'certified' | 'direct';
  /** Certified mode: how long one issuing key signs, seconds (default 3600). */
  issuingKeySeconds?: number;
  /** Certified mode: background upkeep interval, ms (default 5000; 0 = none, tests drive it). */
  issuingKeyTickMs?: number;
  /** Reload the policy on SIGHUP (on by default when a policy file is given). */
  reloadOnSighup?: boolean;
  logger?: Logger;
  now?: () => number;
}

export async function createCredentials(o: CredentialsOptions): Promise<CredentialAuthority> {
  const logger = o.logger ?? silentLogger;
  const now = o.now ?? Date.now;
  const defaultTtlSeconds = o.defaultTtlSeconds ?? 60;
  const maxTtlSeconds = o.maxTtlSeconds ?? 3600;
  const skewSeconds = o.skewSeconds ?? 5;
  const passportTtlSeconds = Math.min(o.passportTtlSeconds ?? 86_400, MAX_PASSPORT_TTL_SECONDS);
  const limits = { maxTtlSeconds, defaultTtlSeconds };
  const policy = o.policyText !== undefined ? PolicySource.fromText(o.policyText, limits) : PolicySource.load(o.policy, limits);

  const state = o.postgres ? await openPgState(o.postgres, now) : openSqliteState(o.db);
  const agentStore = state.agents;
  const credentials = state.credentials;
  // A rotated-out key verifies for as long as anything it signed can live.
  let ring: KeyRing;
  let issuing: IssuingKeys | undefined;
  try {
    // A rotation of the custody key is a ledger entry; the old key keeps verifying for retainSeconds.
    const onRotate = async (from: RingKey, to: RingKey) => {
      logger.info({ from: from.kid, to: to.kid }, 'credentials key rotated: new credentials use the new key; the JWKS keeps the old one while its credentials live');
      await o.ledger.append(credentialsKeyRotationRecord({ kid: to.kid, previousKid: from.kid, jwk: to.jwk })).catch((err) => {
        logger.error({ err: (err as Error).message, kid: to.kid }, 'the credentials key rotation could not be recorded in the ledger');
      });
    };
    ring = await KeyRing.open(o.signer, { retainSeconds: Math.max(maxTtlSeconds, passportTtlSeconds) + skewSeconds, now, store: state.ring, onRotate });
    for (const r of o.retiredKeys ?? []) await ring.addRetired(r.key, r.retiredAt);
    if (o.signing === 'certified') {
      issuing = await IssuingKeys.open({
        custody: ring,
        store: state.issuing,
        ledger: o.ledger,
        issuer: o.issuer,
        signSeconds: o.issuingKeySeconds ?? 3600,
        maxTtlSeconds,
        tickMs: o.issuingKeyTickMs ?? 5000,
        now,
        logger,
      });
    }
  } catch (err) {
    await state.close();
    throw err;
  }
  const popMode = o.popMode ?? 'strict';
  const pop = new PopVerifier(o.nonces ?? state.nonces ?? new MemoryNonceStore({ now }), { windowSeconds: o.popWindowSeconds ?? 30, now });

  if (o.policy && (o.reloadOnSighup ?? true)) {
    policy.watchSighup((err, p) => {
      if (err) logger.error({ err: err.message }, 'policy reload refused; the previous policy stays in force');
      else logger.info({ digest: p.digest, rules: p.rules.length }, 'policy reloaded');
    });
  }
  const prune = setInterval(() => {
    void credentials.prune(Math.floor(now() / 1000)).catch(() => {});
    void state.issuing.prune(Math.floor(now() / 1000) - skewSeconds).catch(() => {});
  }, 600_000);
  prune.unref();

  return new CredentialAuthority({
    agents: new AgentRegistry(agentStore, o.ledger, now),
    agentStore,
    issuer: new Issuer({ ring, issuing, agents: agentStore, credentials, policy, ledger: o.ledger, pop, popMode, issuer: o.issuer, defaultTtlSeconds, maxTtlSeconds, now, logger }),
    verifier: new Verifier({ ring, issuing, agents: agentStore, credentials, ledger: o.ledger, pop, issuer: o.issuer, skewSeconds, maxTtlSeconds, now }),
    passports: new Passports({ ring, agents: agentStore, policy, ledger: o.ledger, issuer: o.issuer, defaultTtlSeconds: passportTtlSeconds, skewSeconds, now }),
    policy,
    ring,
    issuing,
    ledger: o.ledger,
    async close() {
      clearInterval(prune);
      issuing?.close();
      policy.close();
      await state.close();
    },
  });
}

export { CredentialAuthority, type AuthorizeQuestion } from './authority.js';
export type { Agent } from './agent-store.js';
export type { Intent } from './intent.js';
export { CONSTRAINTS_JSON_BOUNDS, intentFingerprint } from './intent.js';
export type { IssueInput, IssuedCredential } from './issuer.js';
export type { VerifyInput, VerifyResult, VerifyReason, CredentialClaims } from './verifier.js';
export type { PassportClaims, PassportVerdict } from './passport.js';
export type { Decision } from './policy.js';
export { issueSigningString, popSigningString, presentationSigningString, POP_METHOD_ISSUE, POP_METHOD_PRESENT, type IssueTerms, type ProofOfPossession, type PopMode } from './pop.js';
export type { Jwks, Jwk } from './jwks.js';
export { ISSUING_CERT_TYP, ISSUING_KEY_PURPOSE, type IssuingCertClaims } from './issuing-cert.js';
