// One step of `signet monitor`: fetch the latest checkpoint, check its signature, and check it
// extends the last verified one (consistency proof) — or produce evidence of a fork or rewrite.
import type { SignetClient } from '../client/client.js';
import { verifyConsistency } from '../client/verify-consistency.js';
import type { TrustedKey } from '../client/trust.js';
import { verifyCheckpointNote } from './checkpoint-trust.js';

export interface MonitorState {
  origin: string;
  size: number;
  /** base64 root. */
  root: string;
  /** The signed note, verbatim. */
  note: string;
  verifiedAt: string;
}

export type EvidenceKind = 'bad_signature' | 'fork' | 'rollback' | 'inconsistent';

export interface Evidence {
  format: 'signet-monitor-evidence/v1';
  kind: EvidenceKind;
  reason: string;
  detectedAt: string;
  server: string;
  previous?: { size: number; note: string };
  latest: { size: number; note: string };
  /** base64 hashes of the consistency proof the server gave (when one was asked for). */
  consistencyProof?: string[];
}

export type StepResult =
  | { kind: 'first'; state: MonitorState }
  | { kind: 'unchanged'; state: MonitorState }
  | { kind: 'advanced'; state: MonitorState; from: number }
  | { kind: 'evidence'; evidence: Evidence };

export interface StepOptions {
  client: SignetClient;
  server: string;
  keys: TrustedKey[];
  origin?: string;
  previous: MonitorState | undefined;
  now?: () => Date;
}

export async function monitorStep(o: StepOptions): Promise<StepResult> {
  const now = (o.now ?? (() => new Date()))().toISOString();
  const latest = await o.client.ledger.getCheckpoint({});
  const evidence = (kind: EvidenceKind, reason: string, proof?: Uint8Array[]): StepResult => ({
    kind: 'evidence',
    evidence: {
      format: 'signet-monitor-evidence/v1',
      kind,
      reason,
      detectedAt: now,
      server: o.server,
      ...(o.previous ? { previous: { size: o.previous.size, note: o.previous.note } } : {}),
      latest: { size: latest.size, note: latest.note },
      ...(proof ? { consistencyProof: proof.map((h) => Buffer.from(h).toString('base64')) } : {}),
    },
  });
  const origin = o.origin ?? o.previous?.origin;
  const signed = verifyCheckpointNote(latest.note, o.keys, origin);
  if (!signed.valid) return evidence('bad_signature', `the latest checkpoint does not verify with the ledger key: ${signed.reason}`);
  const cp = signed.checkpoint;
  const state: MonitorState = { origin: cp.origin, size: cp.size, root: Buffer.from(cp.root).toString('base64'), note: latest.note, verifiedAt: now };
  const prev = o.previous;
  if (!prev) return { kind: 'first', state };
  if (cp.size < prev.size) return evidence('rollback', `the log shrank from size ${prev.size} to ${cp.size}: both checkpoints carry the ledger key's signature`);
  if (cp.size === prev.size) {
    if (state.root !== prev.root) return evidence('fork', `two checkpoints of size ${cp.size} with different roots, both signed by the ledger key`);
    return { kind: 'unchanged', state: prev };
  }
  const proof = await o.client.ledger.getConsistencyProof({ size1: prev.size, size2: cp.size });
  const verdict = verifyConsistency({ from: prev.note, to: latest.note, proof: proof.proof }, { keys: o.keys, origin: prev.origin });
  if (!verdict.valid) {
    return evidence(verdict.check === 'consistency_proof' ? 'fork' : 'inconsistent', `the checkpoint of size ${cp.size} does not extend the verified one of size ${prev.size}: ${verdict.check}: ${verdict.reason}`, proof.proof);
  }
  return { kind: 'advanced', state, from: prev.size };
}
