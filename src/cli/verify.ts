// `signet verify receipt FILE --key PUBKEY.pem|VKEYFILE [--origin NAME] [--name KEYNAME]`: checks a
// receipt offline with the public key alone. Exit 0 and "valid: …", 1 and the reason, 2 for bad usage.
import { readFileSync } from 'node:fs';
import { isSignetError } from '../lib/errors.js';
import { noteSignerNames, noteVerifierFromPublicKey, type NoteVerifier } from '../ledger/note.js';
import { receiptFromJson, verifyReceipt } from '../ledger/verify.js';
import { noteVerifierFromVkey } from '../ledger/vkey.js';

export const VERIFY_USAGE = 'usage: signet verify receipt FILE --key PUBKEY.pem [--origin NAME] [--name KEYNAME]';

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
  key: string;
  origin?: string;
  name?: string;
}

function parseArgs(argv: string[]): VerifyArgs | string {
  const [what, ...rest] = argv;
  if (what !== 'receipt') return `unknown thing to verify: ${what ?? '(none)'}`;
  const args: Partial<VerifyArgs> = {};
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    const flag = ({ '--key': 'key', '--origin': 'origin', '--name': 'name' } as const)[arg as '--key'];
    if (flag) {
      const value = rest[++i];
      if (value === undefined || value.startsWith('--')) return `${arg} needs a value`;
      args[flag] = value;
    } else if (arg.startsWith('--')) {
      return `unknown option ${arg}`;
    } else if (args.file === undefined) {
      args.file = arg;
    } else {
      return `unexpected argument ${arg}`;
    }
  }
  if (!args.file) return 'the receipt FILE is required';
  if (!args.key) return '--key PUBKEY.pem is required';
  return args as VerifyArgs;
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
function verifiersFor(keyText: string, names: string[]): NoteVerifier[] {
  const trimmed = keyText.trim();
  if (!trimmed.startsWith('-----BEGIN') && /^[^\s+]+\+[0-9a-f]{8}\+\S+$/.test(trimmed)) return [noteVerifierFromVkey(trimmed)];
  return names.map((name) => noteVerifierFromPublicKey(name, keyText));
}

export async function verifyCommand(argv: string[], output: CommandOutput = consoleOutput): Promise<number> {
  const args = parseArgs(argv);
  if (typeof args === 'string') {
    output.err(`${args}\n${VERIFY_USAGE}`);
    return 2;
  }
  let pem: string;
  let text: string;
  try {
    pem = readFileSync(args.key, 'utf8');
    text = readFileSync(args.file, 'utf8');
  } catch (err) {
    output.err(`invalid: cannot read ${reason(err)}`);
    return 1;
  }
  try {
    const bundle = receiptFromJson(text);
    const names = args.name ? [args.name] : noteSignerNames(bundle.checkpoint);
    const verified = verifyReceipt(bundle, verifiersFor(pem, names), args.origin === undefined ? {} : { origin: args.origin });
    output.out(`valid: index ${verified.index} in tree of size ${verified.treeSize}`);
    return 0;
  } catch (err) {
    output.err(`invalid: ${reason(err)}`);
    return 1;
  }
}
