// The ledger records credentials write, in one place so their shapes are documented together.
// Tokens never enter the ledger: only their SHA-256, as `response_sha256` / `request_sha256`.
import { createHash } from 'node:crypto';
import { INTERNAL_IDEMPOTENCY_PREFIX, type LedgerRecord } from '../ledger/contract.js';
import type { Intent } from './intent.js';

export const sha256Hex = (text: string) => createHash('sha256').update(text).digest('hex');

const intentOf = (intent: Intent) => ({ action: intent.action, resource: intent.resource });
/** Who asked: the caller the server authenticated for the request (src/server CallContext.caller). */
const callerOf = (caller: string | undefined) => (caller ? { caller } : {});

/** What a credentials call knows about its request: its deadline and who made it. */
export interface CallOptions {
  deadline?: number;
  /** The authenticated caller (`uri:…`, `anonymous` …), recorded in the entries the call writes. */
  caller?: string;
}

/** Groups and labels are recorded: the registering caller chooses them, and they drive policy. */
export function registrationRecord(a: { id: string; name: string; owner: string; thumbprint: string; groups: string[]; labels: Record<string, string> }): LedgerRecord {
  return { type: 'agent_registration', agent: a.id, name: a.name, owner: a.owner, key_thumbprint: a.thumbprint, groups: a.groups, labels: a.labels };
}

export function issuanceRecord(r: {
  agent: string;
  intent: Intent;
  intentFp: string;
  audience: string;
  jti: string;
  exp: number;
  kid: string;
  rule: string;
  pop: 'verified' | 'failed' | 'none';
  singleUse: boolean;
  actors: string[];
  token: string;
  caller?: string;
}): LedgerRecord {
  return {
    type: 'issuance',
    agent: r.agent,
    ...intentOf(r.intent),
    intent_fp: r.intentFp,
    aud: r.audience,
    jti: r.jti,
    exp: r.exp,
    kid: r.kid,
    rule: r.rule,
    pop: r.pop,
    single_use: r.singleUse,
    ...(r.actors.length ? { actors: r.actors } : {}),
    response_sha256: sha256Hex(r.token),
    ...callerOf(r.caller),
  };
}

export function denialRecord(r: { agent: string; intent: Intent; audience?: string; rule: string; reason: string; what: 'issue' | 'passport' | 'authorize'; caller?: string }): LedgerRecord {
  return { type: 'denial', what: r.what, agent: r.agent, ...intentOf(r.intent), ...(r.audience ? { aud: r.audience } : {}), rule: r.rule, reason: r.reason, ...callerOf(r.caller) };
}

export function attestationFailureRecord(r: { agent: string; intentFp: string; audience: string; reason: string; mode: string; refused: boolean; caller?: string }): LedgerRecord {
  return { type: 'attestation_failure', agent: r.agent, intent_fp: r.intentFp, aud: r.audience, reason: r.reason, mode: r.mode, refused: r.refused, ...callerOf(r.caller) };
}

export function verificationRecord(r: { token: string; valid: boolean; reason: string; jti?: string; agent?: string; audience: string; intent?: Intent; consumed: boolean; caller?: string }): LedgerRecord {
  return {
    type: r.consumed ? 'consumption' : 'verification',
    valid: r.valid,
    reason: r.reason,
    ...(r.jti ? { jti: r.jti } : {}),
    ...(r.agent ? { agent: r.agent } : {}),
    aud: r.audience,
    ...(r.intent ? intentOf(r.intent) : {}),
    request_sha256: sha256Hex(r.token),
    ...callerOf(r.caller),
  };
}

/** The idempotency key of a revocation entry: a retried revocation records it once, never zero times. */
export function revocationKey(target: 'credential' | 'agent', id: string): string {
  return `${INTERNAL_IDEMPOTENCY_PREFIX}revocation:${target}:${id}`;
}

export function revocationRecord(r: { target: 'credential' | 'agent' | 'group' | 'issuing_key'; id: string; reason: string; agents?: string[] }): LedgerRecord {
  return { type: 'revocation', target: r.target, id: r.id, reason: r.reason, ...(r.agents ? { agents: r.agents } : {}) };
}

export function passportIssuanceRecord(r: { agent: string; jti: string; exp: number; kid: string; policyDigest: string; token: string; caller?: string }): LedgerRecord {
  return { type: 'issuance', what: 'passport', agent: r.agent, jti: r.jti, exp: r.exp, kid: r.kid, policy_digest: r.policyDigest, response_sha256: sha256Hex(r.token), ...callerOf(r.caller) };
}

/** A certified issuing key: the certificate itself, so an auditor rebuilds the chain from the ledger alone. */
export function issuingKeyRecord(r: { kid: string; custodyKid: string; nbf: number; exp: number; cert: string }): LedgerRecord {
  return { type: 'key_event', event: 'issuing_key_certified', kid: r.kid, custody_kid: r.custodyKid, purpose: 'credentials', nbf: r.nbf, exp: r.exp, cert: r.cert };
}

/** The custody key that signs credentials changed: the new key, so an auditor knows which kid to trust from when. */
export function credentialsKeyRotationRecord(r: { kid: string; previousKid: string; jwk: object }): LedgerRecord {
  return { type: 'key_event', event: 'credentials_key_rotated', purpose: 'credentials', kid: r.kid, previous_kid: r.previousKid, jwk: r.jwk };
}
