// `signet ledger verify` (VerifyChain over a database file, with a progress bar) and
// `signet ledger proof` (a receipt bundle or a consistency proof as JSON), for operators.
import { readFileSync } from 'node:fs';
import { isSignetError } from '../lib/errors.js';
import { parseCheckpoint } from '../ledger/checkpoint.js';
import { splitNote, noteVerifierFromPublicKey } from '../ledger/note.js';
import { LedgerReader } from '../ledger/reader.js';
import { receiptToJson } from '../ledger/receipt-json.js';
import { SqliteLedgerStore } from '../ledger/sqlite-store.js';
import { verifyChain } from '../ledger/verify-chain.js';
import { progressBar } from './progress.js';

export const LEDGER_USAGE = `usage:
  signet ledger verify --db PATH --key PUBKEY.pem [--key OLDKEY.pem …] [--origin NAME] [--from N] [--to M] [--progress]
  signet ledger proof --db PATH --index N [--size M]
  signet ledger proof --db PATH --consistency SIZE1 [SIZE2]`;

export interface LedgerCommandIo {
  out(text: string): void;
  err(text: string): void;
  /** Whether stderr is a terminal (a progress bar is drawn there). */
  isTTY: boolean;
}

const consoleIo: LedgerCommandIo = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  isTTY: process.stderr.isTTY === true,
};

type Flags = Map<string, string[]>;

const FLAGS: Record<string, number> = { '--db': 1, '--key': 1, '--origin': 1, '--from': 1, '--to': 1, '--index': 1, '--size': 1, '--consistency': -1, '--progress': 0 };

function parseFlags(argv: string[]): Flags | string {
  const flags: Flags = new Map();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const arity = FLAGS[arg];
    if (arity === undefined) return `unknown argument ${arg}`;
    const values: string[] = [];
    if (arity === -1) {
      while (i + 1 < argv.length && !argv[i + 1]!.startsWith('--')) values.push(argv[++i]!);
      if (values.length < 1 || values.length > 2) return `${arg} needs SIZE1 and optionally SIZE2`;
    } else {
      for (let k = 0; k < arity; k++) {
        const v = argv[++i];
        if (v === undefined || v.startsWith('--')) return `${arg} needs a value`;
        values.push(v);
      }
    }
    if (flags.has(arg) && arg !== '--key') return `${arg} given twice`;
    flags.set(arg, [...(flags.get(arg) ?? []), ...values]);
  }
  return flags;
}

function count(flags: Flags, name: string): number | undefined {
  const v = flags.get(name)?.[0];
  if (v === undefined) return undefined;
  if (!/^(0|[1-9][0-9]{0,15})$/.test(v)) throw new UsageError(`${name} must be a non-negative integer, not "${v}"`);
  return Number(v);
}

class UsageError extends Error {}

export async function ledgerCommand(argv: string[], io: LedgerCommandIo = consoleIo): Promise<number> {
  const [sub, ...rest] = argv;
  const flags = parseFlags(rest);
  if (typeof flags === 'string' || (sub !== 'verify' && sub !== 'proof')) {
    io.err(`${typeof flags === 'string' ? flags : `unknown ledger command "${sub ?? ''}"`}\n${LEDGER_USAGE}\n`);
    return 2;
  }
  const db = flags.get('--db')?.[0];
  if (!db) {
    io.err(`--db PATH is required\n${LEDGER_USAGE}\n`);
    return 2;
  }
  let store: SqliteLedgerStore | undefined;
  try {
    store = new SqliteLedgerStore(db, { readonly: true });
    return sub === 'verify' ? await verify(store, flags, io) : await proof(store, flags, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`${err.message}\n${LEDGER_USAGE}\n`);
      return 2;
    }
    io.err(`signet ledger ${sub}: ${isSignetError(err) || err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  } finally {
    await store?.close();
  }
}

async function verify(store: SqliteLedgerStore, flags: Flags, io: LedgerCommandIo): Promise<number> {
  // --key may repeat: after a rotation, the old keys verify the old checkpoints.
  const keyPaths = flags.get('--key') ?? [];
  if (keyPaths.length === 0) throw new UsageError('--key PUBKEY.pem is required');
  const pems = keyPaths.map((path) => readFileSync(path, 'utf8'));
  const latest = await store.latestCheckpoint();
  if (!latest) throw new UsageError('--db: this database holds no ledger');
  // Without --origin, the key is tried under the origin the ledger names; the key ID binds the name.
  const origin = flags.get('--origin')?.[0] ?? parseCheckpoint(splitNote(latest.note).text).origin;
  const bar = flags.has('--progress') || io.isTTY ? progressBar(io.err, 'verifying') : undefined;
  const report = await verifyChain(store, {
    start: count(flags, '--from'),
    end: count(flags, '--to'),
    verifiers: pems.map((pem) => noteVerifierFromPublicKey(origin, pem)),
    origin,
    onProgress: bar?.update,
  });
  bar?.done();
  if (report.valid) {
    io.out(`valid: entries ${report.start}..${report.end} (${report.entriesChecked} entries, ${report.checkpointsChecked} checkpoints)\n`);
    return 0;
  }
  io.out(`invalid: first bad index ${report.firstBadIndex}: ${report.reason}\n`);
  return 1;
}

async function proof(store: SqliteLedgerStore, flags: Flags, io: LedgerCommandIo): Promise<number> {
  const reader = new LedgerReader(store);
  const consistency = flags.get('--consistency');
  if (consistency) {
    const [size1, size2] = consistency.map((v) => {
      if (!/^(0|[1-9][0-9]{0,15})$/.test(v)) throw new UsageError(`--consistency sizes must be non-negative integers, not "${v}"`);
      return Number(v);
    }) as [number, number | undefined];
    const { proof: hashes, to } = await reader.consistency(size1, size2);
    const from = await store.checkpointAt(size1);
    const json = {
      format: 'signet-consistency/v1',
      size1,
      size2: to.size,
      proof: hashes.map((h) => Buffer.from(h).toString('base64')),
      checkpoint1: from?.note,
      checkpoint2: to.note,
    };
    io.out(JSON.stringify(json, null, 2) + '\n');
    return 0;
  }
  const index = count(flags, '--index');
  if (index === undefined) throw new UsageError('--index N or --consistency SIZE1 [SIZE2] is required');
  const { proof: hashes, checkpoint } = await reader.inclusion(index, count(flags, '--size'));
  const [entry] = await store.entries(index, index + 1);
  io.out(receiptToJson({ entry: entry!.entry, index, leafHash: entry!.leafHash, inclusionProof: hashes, checkpoint: checkpoint.note, treeSize: checkpoint.size }));
  return 0;
}
