// Validation of incoming ledger records, per entry type, and the entry bytes the sequencer writes.
// An entry is the JCS of {v:1, type, time, prev, …record}; bodies never enter, only their hashes.
import { canonicalBytes, canonicalMembers } from '../lib/jcs.js';
import { invalidArgument } from '../lib/errors.js';
import { ENTRY_TYPES, type EntryType, type LedgerRecord } from './contract.js';

export const RECORD_LIMITS = {
  /** Canonical bytes of `metadata`. */
  maxMetadataBytes: 4096,
  maxMetadataKeys: 32,
  /** Canonical bytes of a whole record (any type). */
  maxRecordBytes: 16384,
  maxStringLength: 1024,
} as const;

/** Fields the sequencer sets: a record may not carry them. */
const RESERVED = new Set(['v', 'time', 'prev']);
const HEX64 = /^[0-9a-f]{64}$/;
export const ZERO_HASH_HEX = '0'.repeat(64);

type Check = (record: Record<string, unknown>, field: string) => void;

const requiredString: (name: string, max?: number) => Check = (name, max) => (r, field) => {
  const value = r[name];
  if (typeof value !== 'string' || value.length === 0) throw invalidArgument(`${field}.${name}`, 'is required (a non-empty string)');
  if (value.length > (max ?? RECORD_LIMITS.maxStringLength)) throw invalidArgument(`${field}.${name}`, `is longer than ${max ?? RECORD_LIMITS.maxStringLength} characters`);
};

const optionalString: (name: string, max?: number) => Check = (name, max) => (r, field) => {
  if (r[name] === undefined) return;
  requiredString(name, max)(r, field);
};

const sha256Hex: (name: string, required: boolean) => Check = (name, required) => (r, field) => {
  const value = r[name];
  if (value === undefined && !required) return;
  if (typeof value !== 'string' || !HEX64.test(value)) {
    throw invalidArgument(`${field}.${name}`, 'must be a SHA-256 digest: 64 lowercase hex characters (the body itself is never recorded)');
  }
};

const metadata: Check = (r, field) => {
  const value = r.metadata;
  if (value === undefined) return;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw invalidArgument(`${field}.metadata`, 'must be a JSON object');
  const keys = Object.keys(value);
  if (keys.length > RECORD_LIMITS.maxMetadataKeys) throw invalidArgument(`${field}.metadata`, `has ${keys.length} keys; at most ${RECORD_LIMITS.maxMetadataKeys}`);
  const bytes = canonicalOrThrow(value, `${field}.metadata`).length;
  if (bytes > RECORD_LIMITS.maxMetadataBytes) {
    throw invalidArgument(`${field}.metadata`, `is ${bytes} bytes as canonical JSON; at most ${RECORD_LIMITS.maxMetadataBytes}`);
  }
};

/** What each type requires beyond the common checks; other fields are free JSON within limits. */
const CHECKS: Record<EntryType, Check[]> = {
  receipt: [
    requiredString('agent', 256),
    requiredString('action', 256),
    requiredString('resource'),
    sha256Hex('request_sha256', true),
    sha256Hex('response_sha256', true),
    optionalString('jti', 128),
    requiredString('outcome', 64),
    metadata,
  ],
  issuance: [optionalString('jti', 128), metadata],
  denial: [metadata],
  verification: [optionalString('jti', 128), metadata],
  consumption: [optionalString('jti', 128), metadata],
  revocation: [metadata],
  agent_registration: [metadata],
  attestation_failure: [metadata],
  key_event: [metadata],
};

/** Checks a record a caller hands in; throws INVALID_ARGUMENT naming the field. Returns it typed. */
export function validateRecord(input: unknown, field = 'record'): LedgerRecord {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) throw invalidArgument(field, 'must be a JSON object');
  const record = input as Record<string, unknown>;
  const type = record.type;
  if (typeof type !== 'string' || !(ENTRY_TYPES as readonly string[]).includes(type)) {
    throw invalidArgument(`${field}.type`, `unknown entry type ${JSON.stringify(type)}; expected one of ${ENTRY_TYPES.join(', ')}`);
  }
  for (const key of Object.keys(record)) {
    if (RESERVED.has(key)) throw invalidArgument(`${field}.${key}`, 'is set by the ledger, not by the caller');
  }
  const checks = type === 'receipt' ? CHECKS.receipt : [sha256Hex('request_sha256', false), sha256Hex('response_sha256', false), ...CHECKS[type as EntryType]];
  for (const check of checks) check(record, field);
  let members: Array<[string, string]>;
  try {
    members = canonicalMembers(record);
  } catch (err) {
    throw invalidArgument(field, `is not representable as canonical JSON (${(err as Error).message})`);
  }
  let bytes = members.length + 1;
  for (const [, text] of members) bytes += Buffer.byteLength(text);
  validated.set(record, members);
  if (bytes > RECORD_LIMITS.maxRecordBytes) throw invalidArgument(field, `is ${bytes} bytes as canonical JSON; at most ${RECORD_LIMITS.maxRecordBytes}`);
  return record as LedgerRecord;
}

/** The entry bytes: JCS of the record with the ledger's fields. `time` is RFC 3339 UTC with ms. */
export function entryBytes(record: LedgerRecord, timeMs: number, prevHex: string): Uint8Array {
  // The record's members as validated (serialised once), with the ledger's three merged in order.
  const members = validated.get(record) ?? canonicalMembers(record);
  const added: Array<[string, string]> = [
    ['prev', `"prev":"${prevHex}"`],
    ['time', `"time":"${new Date(timeMs).toISOString()}"`],
    ['v', '"v":1'],
  ];
  let out = '{';
  let a = 0;
  for (let m = 0; m <= members.length; m++) {
    const key = m < members.length ? members[m]![0] : undefined;
    while (a < added.length && (key === undefined || added[a]![0] < key)) out += (out.length > 1 ? ',' : '') + added[a++]![1];
    if (key !== undefined) out += (out.length > 1 ? ',' : '') + members[m]![1];
  }
  return Buffer.from(out + '}', 'utf8');
}

/** Canonical members of records that passed validateRecord: entryBytes does not serialise them again. */
const validated = new WeakMap<object, Array<[string, string]>>();

function canonicalOrThrow(value: unknown, field: string): Uint8Array {
  try {
    return canonicalBytes(value);
  } catch (err) {
    throw invalidArgument(field, `is not representable as canonical JSON (${(err as Error).message})`);
  }
}
