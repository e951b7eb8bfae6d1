// `signet ledger verify` (VerifyChain over a database file, with a progress bar) and
// `signet ledger proof` (a receipt bundle or a consistency proof as JSON), for operators.
import { isSignetError } from '../lib/errors.js';
import { parseCheckpoint } from '../ledger/checkpoint.js';
import { splitNote } from '../ledger/note.js';
import { LedgerReader } from '../ledger/reader.js';
import { receiptToJson } from '../ledger/receipt-json.js';
import { SqliteLedgerStore } from '../ledger/sqlite-store.js';
import { ledgerKeySchedule } from '../ledger/key-schedule.js';
import { verifyChain } from '../ledger/verify-chain.js';
import { countArg, parseCommand, UsageError, type CommandSpec, type Options } from './args.js';
import { CONNECT_OPTIONS, CONNECT_USAGE, type ConnectValues } from './connect.js';
import { progressBar } from './progress.js';
import { publicKeyTexts, serverLedgerKeys } from './public-keys.js';
import { verifiersFor } from './verify.js';

export const LEDGER_USAGE = `usage: signet ledger verify|proof …
  signet ledger verify --db PATH --key KEY [--key OLDKEY …] | --server HOST:PORT [--origin NAME] [--from N] [--to M] [--progress]
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

const SPECS = {
  verify: {
    command: 'signet ledger verify',
    usage: `usage: signet ledger verify --db PATH --key KEY [--key OLDKEY …] | --server HOST:PORT [--origin NAME] [--from N] [--to M] [--progress]

Recomputes every leaf hash, chain link, root and checkpoint signature of a ledger database (read
only) and names the first bad index. Exit 0 valid, 1 invalid, 2 bad usage.

options:
  --key KEY       the ledger key (repeat for keys from before a rotation): a PEM public key file,
                  a note verifier key file (name+keyid+base64), or a key URI (pkcs11:…, file:…, awskms:…)
  --server ADDR   take the ledger key from a running Signet (ListKeys); this trusts that server for
                  the key — for an audit, pin it with --key (signet keys export-public ledger)
${CONNECT_USAGE}`,
    options: { db: { type: 'string' }, key: { type: 'string', multiple: true }, origin: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, progress: { type: 'boolean' }, ...CONNECT_OPTIONS },
  },
  proof: {
    command: 'signet ledger proof',
    usage: `usage: signet ledger proof --db PATH --index N [--size M]
       signet ledger proof --db PATH --consistency SIZE1 [SIZE2]

Prints a receipt bundle (entry, inclusion proof, checkpoint) or a consistency proof as JSON.`,
    options: { db: { type: 'string' }, index: { type: 'string' }, size: { type: 'string' }, consistency: { type: 'string' } },
    positionals: ['SIZE2'],
    required: 0,
  },
} satisfies Record<string, CommandSpec<Options>>;

interface Flags extends ConnectValues {
  db?: string;
  key?: string[];
  origin?: string;
  from?: string;
  to?: string;
  progress?: boolean;
  index?: string;
  size?: string;
  consistency?: string;
  size2?: string;
}

export async function ledgerCommand(argv: string[], io: LedgerCommandIo = consoleIo): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === '--help' || sub === '-h') {
    io.out(`${LEDGER_USAGE}\n`);
    return 0;
  }
  let flags: Flags;
  try {
    if (sub !== 'verify' && sub !== 'proof') {
      throw new UsageError(`signet ledger: ${sub ? `unknown action "${sub}"` : 'an action is required'} (verify, proof; see signet ledger --help)`);
    }
    const spec: CommandSpec<Options> = SPECS[sub];
    const parsed = parseCommand(spec, rest);
    if (parsed.help) {
      io.out(`${spec.usage}\n`);
      return 0;
    }
    flags = { ...(parsed.values as Flags), size2: parsed.positionals[0] };
    if (flags.size2 !== undefined && flags.consistency === undefined) {
      throw new UsageError(`signet ledger proof: unexpected argument "${flags.size2}" (see signet ledger proof --help)`);
    }
    if (!flags.db) throw new UsageError(`signet ledger ${sub}: --db PATH is required`);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.err(`${err.message}\n`);
    return 2;
  }
  let store: SqliteLedgerStore | undefined;
  try {
    store = new SqliteLedgerStore(flags.db, { readonly: true });
    return sub === 'verify' ? await verify(store, flags, io) : await proof(store, flags, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`${err.message}\n`);
      return 2;
    }
    io.err(`signet ledger ${sub}: ${isSignetError(err) || err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  } finally {
    await store?.close();
  }
}

function count(value: string | undefined, flag: string): number | undefined {
  return countArg(value, flag, 'signet ledger');
}

async function verify(store: SqliteLedgerStore, flags: Flags, io: LedgerCommandIo): Promise<number> {
  // --key may repeat: old keys the ledger's key events do not vouch for can be given too.
  const { key = [], server } = flags;
  if (key.length === 0 && server === undefined) throw new UsageError('signet ledger verify: --key PUBKEY.pem (or a vkey or key URI) or --server HOST:PORT is required');
  const keys = [...(await publicKeyTexts(key)), ...(server !== undefined ? await serverLedgerKeys(flags) : [])];
  const latest = await store.latestCheckpoint();
  if (!latest) throw new UsageError('signet ledger verify: --db: this database holds no ledger');
  // Without --origin, the key is tried under the origin the ledger names; the key ID binds the name.
  const origin = flags.origin ?? parseCheckpoint(splitNote(latest.note).text).origin;
  const bar = flags.progress || io.isTTY ? progressBar(io.err, 'verifying') : undefined;
  // The keys given are trust roots; an older key is accepted where the ledger's key events vouch for it.
  const roots = keys.flatMap((text) => verifiersFor(text, [origin]));
  const schedule = await ledgerKeySchedule(store, { origin, roots });
  const report = await verifyChain(store, {
    start: count(flags.from, '--from'),
    end: count(flags.to, '--to'),
    verifiers: roots,
    keysAt: (size) => schedule.at(size),
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
  if (flags.consistency !== undefined) {
    const size1 = count(flags.consistency, '--consistency')!;
    const size2 = count(flags.size2, 'SIZE2');
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
  const index = count(flags.index, '--index');
  if (index === undefined) throw new UsageError('signet ledger proof: --index N or --consistency SIZE1 [SIZE2] is required');
  const { proof: hashes, checkpoint } = await reader.inclusion(index, count(flags.size, '--size'));
  const [entry] = await store.entries(index, index + 1);
  io.out(receiptToJson({ entry: entry!.entry, index, leafHash: entry!.leafHash, inclusionProof: hashes, checkpoint: checkpoint.note, treeSize: checkpoint.size }));
  return 0;
}
