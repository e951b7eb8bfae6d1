// `signet verify receipt FILE --key KEY | --server ADDR [--origin NAME] [--name KEYNAME]`: checks a
// receipt offline. Exit 0 and "valid: …", 1 and the reason, 2 for bad usage.
import { readFileSync } from 'node:fs';
import { isSignetError } from '../lib/errors.js';
import { noteSignerNames, noteVerifierFromPublicKey, type NoteVerifier } from '../ledger/note.js';
import { receiptFromJson, verifyReceipt } from '../ledger/verify.js';
import { noteVerifierFromVkey } from '../ledger/vkey.js';
import { parseCommand, UsageError } from './args.js';
import { CONNECT_OPTIONS, CONNECT_USAGE, type ConnectValues } from './connect.js';
import { publicKeyTexts, serverLedgerKeys } from './public-keys.js';

export const VERIFY_USAGE = 'usage: signet verify receipt FILE --key PUBKEY.pem|VKEY|URI [--key …] | --server HOST:PORT [--origin NAME] [--name KEYNAME]';

export interface CommandOutput {
  out(line: string): void;
  err(line: string): void;
}

const consoleOutput: CommandOutput = {
  out: (line) => process.stdout.write(line + '\n'),
  err: (line) => process.stderr.write(line + '\n'),
};

interface VerifyArgs {
  file: string;
  keys: string[];
  server: ConnectValues | undefined;
  origin?: string;
  name?: string;
}

const SPEC = {
  command: 'signet verify receipt',
  usage: `${VERIFY_USAGE}

Checks a receipt bundle (from AppendReceipt or signet ledger proof) offline: entry, inclusion proof
and the checkpoint's signature by the key. Exit 0 valid, 1 invalid, 2 bad usage.

options:
  --key KEY       the ledger key (repeat for keys from before a rotation): a PEM public key file,
                  a note verifier key file (name+keyid+base64), or a key URI (pkcs11:…, file:…, awskms:…)
  --server ADDR   take the ledger key from a running Signet (ListKeys); this trusts that server for
                  the key — for an audit, pin it with --key (signet keys export-public ledger)
  --origin NAME   require this checkpoint origin
  --name KEYNAME  the signed-note key name to check (default: every name that signed)
${CONNECT_USAGE}`,
  options: { key: { type: 'string', multiple: true }, origin: { type: 'string' }, name: { type: 'string' }, ...CONNECT_OPTIONS },
  positionals: ['FILE'],
} as const;

function parseVerifyArgs(argv: string[]): VerifyArgs | 'help' {
  const [what, ...rest] = argv;
  if (what === '--help' || what === '-h') return 'help';
  if (what !== 'receipt') throw new UsageError(`signet verify: ${what ? `unknown thing to verify "${what}"` : 'what to verify is required'} (receipt; see signet verify --help)`);
  const parsed = parseCommand(SPEC, rest);
  if (parsed.help) return 'help';
  const { key, origin, name, ...connection } = parsed.values;
  if (!key?.length && connection.server === undefined) throw new UsageError('signet verify receipt: --key PUBKEY.pem (or a vkey or key URI) or --server HOST:PORT is required');
  return { file: parsed.positionals[0]!, keys: key ?? [], server: connection.server === undefined ? undefined : connection, origin, name };
}

function reason(err: unknown): string {
  if (isSignetError(err)) return err.message;
  return err instanceof Error ? err.message : String(err);
}

/**
 * The key alone is the trust anchor: without --name, a PEM key is tried under every name that
 * signed the checkpoint (an Ed25519 key ID binds the name, so only its own name can match).
 * A signed-note verifier key ("name+keyid+base64") carries its own name.
 */
export function verifiersFor(keyText: string, names: string[]): NoteVerifier[] {
  const trimmed = keyText.trim();
  if (!trimmed.startsWith('-----BEGIN') && /^[^\s+]+\+[0-9a-f]{8}\+\S+$/.test(trimmed)) return [noteVerifierFromVkey(trimmed)];
  return names.map((name) => noteVerifierFromPublicKey(name, keyText));
}

export async function verifyCommand(argv: string[], output: CommandOutput = consoleOutput): Promise<number> {
  let args: VerifyArgs | 'help';
  try {
    args = parseVerifyArgs(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    output.err(err.message);
    return 2;
  }
  if (args === 'help') {
    output.out(SPEC.usage);
    return 0;
  }
  let keys: string[];
  let text: string;
  try {
    keys = [...(await publicKeyTexts(args.keys)), ...(args.server ? await serverLedgerKeys(args.server) : [])];
    text = readFileSync(args.file, 'utf8');
  } catch (err) {
    output.err(`invalid: cannot read ${reason(err)}`);
    return 1;
  }
  try {
    const bundle = receiptFromJson(text);
    const names = args.name ? [args.name] : noteSignerNames(bundle.checkpoint);
    const verified = verifyReceipt(bundle, keys.flatMap((key) => verifiersFor(key, names)), args.origin === undefined ? {} : { origin: args.origin });
    output.out(`valid: index ${verified.index} in tree of size ${verified.treeSize}`);
    return 0;
  } catch (err) {
    output.err(`invalid: ${reason(err)}`);
    return 1;
  }
}
