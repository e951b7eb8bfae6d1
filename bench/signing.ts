// Signing benchmark, interleaved rounds (medians): a no-op gRPC unary call, raw C_Sign on SoftHSM,
// raw node:crypto Ed25519, and Signet's Sign (file key and SoftHSM keys) and SignBatch; each Signet
// figure beside its bound (no-op ∘ backend) and the server's CPU per signature by thread.
import { generateKeyPairSync, sign as nodeSign } from 'node:crypto';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { signingClient, unary } from '../src/client/grpc.js';
import { softhsmKey, softhsmToken } from '../test/helpers/softhsm.js';
import { startChild } from './lib/child-server.js';
import { fmt, ratioLine, runLoad, type LoadResult } from './lib/load.js';
import { noopClient } from './lib/noop-server.js';
import { compositionBound, interleave, type RoundResult } from './lib/rounds.js';
import { perCall, probeArgs } from './lib/thread-cpu.js';
import { rawSignRate } from './pkcs11-raw.js';

const here = dirname(fileURLToPath(import.meta.url));
const viaTsx = import.meta.url.endsWith('.ts');
const script = (file: string) => (viaTsx ? ['--import', 'tsx', join(here, `${file}.ts`)] : [join(here, `${file}.js`)]);

export interface SigningBenchOptions {
  durationMs: number;
  rounds: number;
  concurrency: number;
  batchSize: number;
  batchConcurrency: number;
  sessions: number;
  /** The pkcs11 driver's sign-threads (C_SignInit + C_Sign in worker threads); 0 = main thread + libuv. */
  signThreads: number;
}

export const SIGNING_DEFAULTS: SigningBenchOptions = { durationMs: 2000, rounds: 5, concurrency: 64, batchSize: 256, batchConcurrency: 8, sessions: 8, signThreads: 0 };

const asLoad = (rate: number, seconds: number): LoadResult => ({ ops: rate * seconds, seconds, rate, p50Ms: NaN, p99Ms: NaN, errors: 0 });

/** node:crypto Ed25519 signatures per second on this thread: the file key's own cost. */
function rawEd25519Rate(durationMs: number): number {
  const { privateKey } = generateKeyPairSync('ed25519');
  const message = Buffer.alloc(64, 7);
  let n = 0;
  const end = performance.now() + durationMs;
  const start = performance.now();
  while (performance.now() < end) {
    for (let i = 0; i < 100; i++) nodeSign(null, message, privateKey);
    n += 100;
  }
  return n / ((performance.now() - start) / 1000);
}

export async function benchSigning(o: SigningBenchOptions = SIGNING_DEFAULTS, log: (line: string) => void = console.log): Promise<Map<string, RoundResult>> {
  const token = softhsmToken();
  const edUri = await softhsmKey('ed25519', 'bench-ed25519');
  const p256Uri = await softhsmKey('p256', 'bench-p256');
  const dir = mkdtempSync(join(tmpdir(), 'signet-bench-'));
  const stops: Array<() => Promise<void>> = [];
  try {
    log(`# signing benchmark: ${o.rounds} interleaved rounds × ${o.durationMs} ms per figure (medians), ${o.concurrency} calls in flight, SoftHSM ${o.sessions} sessions, sign-threads=${o.signThreads}`);
    const noopProbe = join(dir, 'noop-threads.txt');
    const np = probeArgs(noopProbe);
    const noop = await startChild([...np.args, ...script('lib/noop-server').slice(viaTsx ? 2 : 0)], np.env);
    stops.push(() => noop.stop());
    const nc = noopClient(`127.0.0.1:${noop.port}`);
    stops.push(async () => nc.close());

    const config = join(dir, 'signet.yaml');
    const key = (uri: string) => `"${uri}&max-sessions=${o.sessions}&sign-threads=${o.signThreads}"`;
    writeFileSync(
      config,
      `listen: 127.0.0.1:0\nplaintext: true\ndata_dir: ${dir}\nkeys:\n  ed: ${key(edUri)}\n  p256: ${key(p256Uri)}\n  file: "file://${dir}/file-ed25519.pem?create=true&alg=ed25519"\nlimits:\n  max_batch: ${o.batchSize}\nledger:\n  enabled: false\ncredentials:\n  enabled: false\n`,
    );
    const signetProbe = join(dir, 'signet-threads.txt');
    const sp = probeArgs(signetProbe);
    const cli = join(here, '..', 'src', 'cli', `main.${viaTsx ? 'ts' : 'js'}`);
    const signet = await startChild([...sp.args, cli, 'serve', '--config', config], { ...sp.env, SIGNET_LOG_LEVEL: 'info' });
    stops.push(() => signet.stop());
    const sc = signingClient(`127.0.0.1:${signet.port}`);
    stops.push(async () => sc.close());

    const payload = Buffer.alloc(64, 7);
    const messages = Array.from({ length: o.batchSize }, (_, i) => Buffer.from(`receipt ${i} `.padEnd(64, '.')));
    const load = { concurrency: o.concurrency, durationMs: o.durationMs, warmupMs: 300 };
    const batchLoad = { concurrency: o.batchConcurrency, durationMs: o.durationMs, warmupMs: 300 };
    const srv = { pid: signet.child.pid!, probe: signetProbe };
    const raw = (alg: 'Ed25519' | 'ES256') => async () =>
      asLoad(await rawSignRate({ modulePath: token.modulePath, tokenLabel: token.label, pin: token.pin, keyLabel: alg === 'Ed25519' ? 'bench-ed25519' : 'bench-p256', alg, concurrency: o.sessions, durationMs: o.durationMs }), o.durationMs / 1000);
    const results = await interleave(
      o.rounds,
      [
        { name: 'no-op', run: () => runLoad(() => unary(nc, nc.Echo as never, { key: 'bench', message: payload }), load), server: { pid: noop.child.pid!, probe: noopProbe } },
        { name: 'raw Ed25519 (node:crypto)', run: async () => asLoad(rawEd25519Rate(o.durationMs / 4), o.durationMs / 4000) },
        { name: 'raw C_Sign Ed25519', run: raw('Ed25519') },
        { name: 'raw C_Sign ES256', run: raw('ES256') },
        { name: 'Sign file Ed25519', run: () => runLoad(() => unary(sc, sc.Sign, { key: 'file', message: payload }), load), server: srv },
        { name: 'Sign SoftHSM Ed25519', run: () => runLoad(() => unary(sc, sc.Sign, { key: 'ed', message: payload }), load), server: srv },
        { name: 'Sign SoftHSM ES256', run: () => runLoad(() => unary(sc, sc.Sign, { key: 'p256', message: payload }), load), server: srv },
        { name: 'SignBatch SoftHSM Ed25519', run: () => runLoad(() => unary(sc, sc.SignBatch, { key: 'ed', messages }), batchLoad), unitsPerCall: o.batchSize, server: srv },
        { name: 'SignBatch SoftHSM ES256', run: () => runLoad(() => unary(sc, sc.SignBatch, { key: 'p256', messages }), batchLoad), unitsPerCall: o.batchSize, server: srv },
      ],
      log,
    );
    const r = (name: string) => results.get(name)!;
    const line = (name: string, unit: string) => {
      const x = r(name);
      const lat = Number.isNaN(x.p50Ms) ? '' : `  p50 ${x.p50Ms.toFixed(2)} ms  p99 ${x.p99Ms.toFixed(2)} ms`;
      log(`${name.padEnd(30)} ${fmt(x.rate).padStart(9)} ${unit}${lat}`);
      if (x.cpu) log(`${''.padEnd(30)} ${perCall(x.cpu, x.units, 'workers')}`);
    };
    log('');
    line('no-op', 'calls/s');
    for (const n of ['raw Ed25519 (node:crypto)', 'raw C_Sign Ed25519', 'raw C_Sign ES256']) line(n, 'sig/s');
    for (const n of ['Sign file Ed25519', 'Sign SoftHSM Ed25519', 'Sign SoftHSM ES256', 'SignBatch SoftHSM Ed25519', 'SignBatch SoftHSM ES256']) line(n, 'sig/s');
    const noopRate = r('no-op').rate;
    const bound = (backend: string) => compositionBound(noopRate, r(backend).rate);
    log('');
    log(`bound no-op ∘ raw Ed25519 (node:crypto)        ${fmt(bound('raw Ed25519 (node:crypto)')).padStart(9)} calls/s`);
    log(`bound no-op ∘ raw C_Sign Ed25519              ${fmt(bound('raw C_Sign Ed25519')).padStart(9)} calls/s`);
    log(`bound no-op ∘ raw C_Sign ES256                ${fmt(bound('raw C_Sign ES256')).padStart(9)} calls/s`);
    log('');
    log(ratioLine('Sign file Ed25519 ÷ no-op', r('Sign file Ed25519').rate / noopRate, 0.85));
    log(`${'Sign file Ed25519 ÷ bound (no-op ∘ crypto)'.padEnd(44)} ${(r('Sign file Ed25519').rate / bound('raw Ed25519 (node:crypto)')).toFixed(2).padStart(8)}`);
    log(ratioLine('Sign SoftHSM Ed25519 ÷ bound (no-op ∘ C_Sign)', r('Sign SoftHSM Ed25519').rate / bound('raw C_Sign Ed25519'), 0.9));
    log(ratioLine('Sign SoftHSM ES256 ÷ bound (no-op ∘ C_Sign)', r('Sign SoftHSM ES256').rate / bound('raw C_Sign ES256'), 0.9));
    log(ratioLine('SignBatch Ed25519 ÷ raw C_Sign', r('SignBatch SoftHSM Ed25519').rate / r('raw C_Sign Ed25519').rate, 0.85));
    log(ratioLine('SignBatch ES256 ÷ raw C_Sign', r('SignBatch SoftHSM ES256').rate / r('raw C_Sign ES256').rate, 0.85));
    return results;
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const rounds = Number(process.env.BENCH_ROUNDS ?? SIGNING_DEFAULTS.rounds);
  const durationMs = Number(process.env.BENCH_DURATION_MS ?? SIGNING_DEFAULTS.durationMs);
  benchSigning({ ...SIGNING_DEFAULTS, rounds, durationMs }).then(
    () => process.exit(0),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
