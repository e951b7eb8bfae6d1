// `signet monitor`: follows a Signet ledger over gRPC, keeps the last verified checkpoint on disk,
// checks each new one (signature, consistency with the last), and stops with evidence on a fork or
// a rewrite. With --witness-key it cosigns what it verified (C2SP tlog-cosignature) and hands the
// cosignature to Signet.
import { createPrivateKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { existsSync, linkSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { isSignetClientError } from '../client/errors.js';
import { cosignatureLine, cosignerOf, formatCosignerVkey } from '../ledger/cosignature.js';
import { splitNote } from '../ledger/note.js';
import { SignetError } from '../lib/errors.js';
import { defaultStateDir } from './agent-state.js';
import { CONNECT_OPTIONS, CONNECT_USAGE, connect } from './connect.js';
import { monitorStep, type Evidence, type MonitorState } from './monitor-step.js';

export const MONITOR_USAGE = `usage: signet monitor --ledger-key FILE [options]

Follows the ledger: every --interval, the latest checkpoint's signature is checked with the ledger
key and its consistency with the last verified checkpoint (kept in --state) is proved. On a fork or
a rewrite it writes the evidence (both checkpoints and the failing proof) to --evidence and exits 1.

  --ledger-key FILE         the ledger's public key (PEM or vkey); repeat for keys before a rotation
  --origin NAME             the checkpoint origin to expect
  --state FILE              last verified checkpoint (default STATE_DIR/monitor/<server>.json)
  --evidence FILE           where evidence goes (default: next to the state, evidence-<time>.json)
  --interval MS             between checks (default 10000)
  --once                    one check, then exit (0 verified, 1 evidence, 3 could not check)
  --witness-key FILE        cosign each verified checkpoint with this Ed25519 key (PKCS#8 PEM,
                            created 0600 if absent) and send the cosignature to Signet
  --witness-name NAME       the cosigner's name (default monitor@HOST)
  --print-vkey              print the witness vkey (for Signet's ledger.witnesses) and exit
${CONNECT_USAGE}`;

const OPTIONS = {
  ...CONNECT_OPTIONS,
  'ledger-key': { type: 'string', multiple: true },
  origin: { type: 'string' },
  state: { type: 'string' },
  evidence: { type: 'string' },
  interval: { type: 'string' },
  once: { type: 'boolean' },
  'witness-key': { type: 'string' },
  'witness-name': { type: 'string' },
  'print-vkey': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

function writeAtomic(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, text, { mode: 0o600 });
  renameSync(tmp, path);
}

/** The witness key at `path`, created (0600, exclusively) when absent; refused when others can read it. */
function witnessKey(path: string): KeyObject {
  if (!existsSync(path)) {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    const tmp = `${path}.${process.pid}.tmp`;
    try {
      writeFileSync(tmp, generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, { mode: 0o600, flag: 'wx' });
      linkSync(tmp, path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw new SignetError('CONFIG', `cannot create the witness key ${path} (${(err as NodeJS.ErrnoException).code})`);
    } finally {
      rmSync(tmp, { force: true });
    }
  }
  if (process.platform !== 'win32' && (statSync(path).mode & 0o077) !== 0) throw new SignetError('CONFIG', `the witness key ${path} is readable by others; chmod 600 it`);
  try {
    const key = createPrivateKey(readFileSync(path, 'utf8'));
    if (key.asymmetricKeyType !== 'ed25519') throw new Error('not Ed25519');
    return key;
  } catch (err) {
    throw new SignetError('CONFIG', `--witness-key ${path}: not an Ed25519 private key in PEM (${(err as Error).message})`);
  }
}

function readState(path: string): MonitorState | undefined {
  if (!existsSync(path)) return undefined;
  try {
    const s = JSON.parse(readFileSync(path, 'utf8')) as MonitorState;
    if (typeof s.note !== 'string' || !Number.isSafeInteger(s.size) || typeof s.root !== 'string' || typeof s.origin !== 'string') throw new Error('fields missing');
    return s;
  } catch (err) {
    // A state file that cannot be read is never replaced silently: that would forget what was verified.
    throw new SignetError('CONFIG', `--state ${path} is unreadable (${(err as Error).message}); move it aside to start over`);
  }
}

export async function monitorCommand(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({ args: argv, options: OPTIONS, strict: true, allowPositionals: false }));
  } catch (err) {
    process.stderr.write(`signet monitor: ${(err as Error).message}\n${MONITOR_USAGE}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(`${MONITOR_USAGE}\n`);
    return 0;
  }
  const say = (line: string) => process.stderr.write(`signet monitor: ${line}\n`);
  const witnessName = values['witness-name'] ?? `monitor@${hostname()}`;
  const witness = values['witness-key'] ? { key: witnessKey(values['witness-key']), name: witnessName } : undefined;
  if (values['print-vkey']) {
    if (!witness) throw new SignetError('CONFIG', '--print-vkey needs --witness-key');
    process.stdout.write(`${formatCosignerVkey(cosignerOf(witness.name, witness.key))}\n`);
    return 0;
  }
  const keyFiles = values['ledger-key'] ?? [];
  if (keyFiles.length === 0) {
    process.stderr.write(`signet monitor: --ledger-key is required: the monitor trusts the key, not the server\n${MONITOR_USAGE}\n`);
    return 2;
  }
  const keys = keyFiles.map((f) => {
    try {
      return readFileSync(f, 'utf8').trim();
    } catch (err) {
      throw new SignetError('CONFIG', `--ledger-key: cannot read ${f} (${(err as NodeJS.ErrnoException).code})`);
    }
  });
  let interval = 10_000;
  if (values.interval !== undefined) {
    if (!/^[1-9][0-9]{0,7}$/.test(values.interval)) throw new SignetError('CONFIG', '--interval must be a whole number of milliseconds');
    interval = Number(values.interval);
  }
  const { client, address } = connect(values, env);
  const statePath = values.state ?? join(defaultStateDir(env), 'monitor', `${address.replace(/[^A-Za-z0-9_.-]/g, '_')}.json`);
  let previous = readState(statePath);
  let stop = false;
  const onSignal = () => (stop = true);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    for (;;) {
      let result;
      try {
        result = await monitorStep({ client, server: address, keys, ...(values.origin ? { origin: values.origin } : {}), previous });
      } catch (err) {
        say(`could not check: ${err instanceof Error ? err.message : String(err)}`);
        if (values.once) return 3;
        await sleep(interval, () => stop);
        if (stop) return 0;
        continue;
      }
      if (result.kind === 'evidence') {
        const path = values.evidence ?? join(dirname(statePath), `evidence-${result.evidence.detectedAt.replace(/[:.]/g, '-')}.json`);
        writeAtomic(path, JSON.stringify(result.evidence satisfies Evidence, null, 2) + '\n');
        say(`${result.evidence.kind.toUpperCase()}: ${result.evidence.reason}; evidence in ${path}`);
        return 1;
      }
      if (result.kind !== 'unchanged') {
        writeAtomic(statePath, JSON.stringify(result.state, null, 2) + '\n');
        say(result.kind === 'first' ? `verified checkpoint of size ${result.state.size} (first seen)` : `verified ${result.from} → ${result.state.size}`);
        previous = result.state;
        if (witness) await cosign(client, result.state.note, witness, say);
      }
      if (values.once || stop) return 0;
      await sleep(interval, () => stop);
      if (stop) return 0;
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    client.close();
  }
}

async function cosign(client: ReturnType<typeof connect>['client'], note: string, witness: { key: KeyObject; name: string }, say: (l: string) => void): Promise<void> {
  const line = cosignatureLine(splitNote(note).text, witness.name, witness.key);
  try {
    await client.ledger.addCosignature({ note: note + line });
    say(`cosigned as ${witness.name}`);
  } catch (err) {
    // Not fatal: the monitor's own verification stands; Signet may not list this witness yet.
    say(`Signet did not take the cosignature: ${isSignetClientError(err) ? `${err.code}: ${err.message}` : String(err)}`);
  }
}

function sleep(ms: number, stopped: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    const started = Date.now();
    const tick = () => (stopped() || Date.now() - started >= ms ? resolve() : setTimeout(tick, Math.min(200, ms)));
    tick();
  });
}
