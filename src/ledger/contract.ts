// What the rest of Signet sees of the ledger: record types and the append port.
// Credentials and the server write through `LedgerAppender`; they never touch a store.

/** Every kind of entry the ledger records. */
export type EntryType =
  | 'receipt' // an agent's action
  | 'issuance' // a credential was issued
  | 'denial' // an issuance or authorization was refused
  | 'verification' // a credential was verified (valid or not)
  | 'consumption' // a single-use credential was consumed
  | 'revocation' // a credential, an agent or a group was revoked
  | 'agent_registration'
  | 'attestation_failure' // a proof-of-possession check failed (recorded in permissive mode)
  | 'key_event'; // key rotation, key added or retired

export const ENTRY_TYPES: readonly EntryType[] = [
  'receipt',
  'issuance',
  'denial',
  'verification',
  'consumption',
  'revocation',
  'agent_registration',
  'attestation_failure',
  'key_event',
];

/**
 * A record as a writer hands it in. The sequencer adds `v`, `time` and `prev`, and the entry is
 * the RFC 8785 (JCS) canonical JSON of the result. Values must be JSON (no undefined, no bigint).
 * Bodies are never recorded: only their SHA-256 (hex) in `request_sha256` / `response_sha256`.
 */
export interface LedgerRecord {
  type: EntryType;
  [field: string]: unknown;
}

/** Idempotency keys Signet itself uses start with this; callers of the LedgerService may not. */
export const INTERNAL_IDEMPOTENCY_PREFIX = 'signet:';

/**
 * The idempotency scope of Signet's own entries (issuance, revocation, registration …). Caller
 * scopes are caller identities, never empty, so they cannot meet it.
 */
export const SIGNET_SCOPE = '';

export interface AppendOptions {
  /**
   * A retried append with the same key (in the same scope) and the same record returns the original
   * result and writes nothing; the same key with a different record is refused with ALREADY_EXISTS
   * (in a caller scope) or answered with the first entry (in SIGNET_SCOPE, where the key names an
   * event that is recorded once, e.g. "credential X revoked").
   */
  idempotencyKey?: string;
  /** Whose namespace idempotency keys live in: the caller identity; default SIGNET_SCOPE. */
  scope?: string;
  /** Absolute deadline, ms since epoch. */
  deadline?: number;
}

/** What an append answers, once the batch holding it is durable. Verifies offline. */
export interface ReceiptBundle {
  /** The canonical entry (JCS bytes, UTF-8). */
  entry: Uint8Array;
  index: number;
  /** RFC 6962 leaf hash of the entry. */
  leafHash: Uint8Array;
  /** Inclusion proof of index in the tree of the checkpoint's size. */
  inclusionProof: Uint8Array[];
  /** The signed note (C2SP tlog-checkpoint), text. */
  checkpoint: string;
  treeSize: number;
}

export interface LedgerAppender {
  append(record: LedgerRecord, options?: AppendOptions): Promise<ReceiptBundle>;
  appendMany(records: LedgerRecord[], options?: AppendOptions): Promise<ReceiptBundle[]>;
}
