// Credentials benchmark: a no-op gRPC unary call, Signet's Issue (SoftHSM Ed25519 key, every
// credential recorded in the ledger) and VerifyCredential through `signet serve`, all in this one
// run, and their ratios.
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serviceClient, unary } from '../src/client/grpc.js';
import type { CredentialServiceClient } from '../src/gen/signet/v1/CredentialService.js';
import { softhsmKey } from '../test/helpers/softhsm.js';
import { startChild } from './lib/child-server.js';
import { fmt, ratioLine, runLoad, type LoadResult } from './lib/load.js';
import { noopClient } from './lib/noop-server.js';

const here = dirname(fileURLToPath(import.meta.url));
/** Under tsx the children run the .ts sources; built, they run dist's .js. */
const ext = import.meta.url.endsWith('.ts') ? 'ts' : 'js';
const childArgs = (file: string) => (ext === 'ts' ? ['--import', 'tsx', join(here, 'lib', `${file}.ts`)] : [join(here, 'lib', `${file}.js`)]);

export interface CredentialsBenchOptions {
  durationMs: number;
  concurrency: number;
  /** SoftHSM sessions of the issuing key (max-sessions). */
  sessions: number;
  /** ledger.batch.max_delay_ms of the server (Signet's default is 5). */
  ledgerDelayMs?: number;
}

type Measured = LoadResult & { cpuUsPerCall: number };

export interface CredentialsBenchFigures {
  noop: Measured;
  issue: Measured;
  verify: Measured;
  issueRatio: number;
  verifyRatio: number;
}

/** CPU time (user + system, every thread) a process has used, in µs, from /proc/PID/stat. */
function cpuMicros(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1e6) / 100; // utime, stime in USER_HZ (100)
}

/** Runs a load after a short warm-up and adds the server's CPU time per completed call. */
async function measure(pid: number, call: (i: number) => Promise<unknown>, o: { concurrency: number; durationMs: number }): Promise<Measured> {
  await runLoad(call, { concurrency: o.concurrency, durationMs: 500 });
  const before = cpuMicros(pid);
  const r = await runLoad(call, o);
  return { ...r, cpuUsPerCall: (cpuMicros(pid) - before) / r.ops };
}

const POLICY = `
rules:
  - name: bench
    agents: [{group: bench}]
    actions: [repo:read]
    resources: ["github.com/acme/*"]
    max_ttl: 5m
`;

export async function benchCredentials(
  o: CredentialsBenchOptions = { durationMs: 4000, concurrency: 64, sessions: 8 },
  log: (line: string) => void = console.log,
): Promise<CredentialsBenchFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'signet-bench-cred-'));
  const stops: Array<() => Promise<void>> = [];
  try {
    log(`# credentials benchmark (${o.durationMs} ms per figure, ${o.concurrency} calls in flight, SoftHSM Ed25519, ${o.sessions} sessions, ledger max_delay_ms ${o.ledgerDelayMs ?? 'default (5)'})`);
    const key = await softhsmKey('ed25519', `bench-cred-${process.pid}`);
    const policy = join(dir, 'policy.yaml');
    writeFileSync(policy, POLICY);
    // The real server (`signet serve`): one SoftHSM key issues credentials and signs checkpoints.
    const config = join(dir, 'signet.yaml');
    writeFileSync(
      config,
      [
        'listen: 127.0.0.1:0',
        'plaintext: true',
        `data_dir: ${dir}`,
        'keys:',
        `  issuer: "${key}&max-sessions=${o.sessions}"`,
        'ledger:',
        '  key: issuer',
        ...(o.ledgerDelayMs === undefined ? [] : ['  batch:', `    max_delay_ms: ${o.ledgerDelayMs}`]),
        'credentials:',
        '  key: issuer',
        '  issuer: https://signet.bench',
        `  policy: ${policy}`,
        '',
      ].join('\n'),
    );
    const cli = join(here, '..', 'src', 'cli', `main.${ext}`);
    const signet = await startChild(ext === 'ts' ? ['--import', 'tsx', cli, 'serve', '--config', config] : [cli, 'serve', '--config', config], { SIGNET_LOG_LEVEL: 'info' });
    stops.push(() => signet.stop());
    const noopServer = await startChild(childArgs('noop-server'));
    stops.push(() => noopServer.stop());

    const nc = noopClient(`127.0.0.1:${noopServer.port}`);
    const client = serviceClient<CredentialServiceClient>('signet.v1.CredentialService', `127.0.0.1:${signet.port}`);
    stops.push(async () => {
      nc.close();
      client.close();
    });
    const load = { concurrency: o.concurrency, durationMs: o.durationMs };
    const payload = Buffer.alloc(64, 7);
    const noopCall = () => unary(nc, nc.Echo as never, { key: 'bench', message: payload });

    const jwk = generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' });
    const agent = await unary<object, { id: string }>(client, client.RegisterAgent as never, { name: 'bench', public_key_jwk: JSON.stringify(jwk), owner: 'bench', groups: ['bench'] });
    const intent = { action: 'repo:read', resource: 'github.com/acme/app' };
    const audience = 'https://api.github.com';
    const tokens: string[] = [];

    // The machine is shared: the no-op baseline is measured before and after, and averaged; the
    // servers' CPU time per call (all threads, from /proc) is reported too, as load cannot skew it.
    const noopBefore = await measure(noopServer.child.pid!, noopCall, load);
    const issue = await measure(
      signet.child.pid!,
      async () => {
        const r = await unary<object, { token: string }>(client, client.Issue as never, { agent_id: agent.id, intent, audience, ttl_seconds: 300 });
        if (tokens.length < 4096) tokens.push(r.token);
      },
      load,
    );
    const verify = await measure(
      signet.child.pid!,
      async (i) => {
        const r = await unary<object, { valid: boolean; reason: string }>(client, client.VerifyCredential as never, { token: tokens[i % tokens.length], intent, audience });
        if (!r.valid) throw new Error(`verification failed: ${r.reason}`);
      },
      load,
    );
    const noopAfter = await measure(noopServer.child.pid!, noopCall, load);
    const noop = { ...noopBefore, rate: (noopBefore.rate + noopAfter.rate) / 2, cpuUsPerCall: (noopBefore.cpuUsPerCall + noopAfter.cpuUsPerCall) / 2 };

    const line = (name: string, r: LoadResult & { cpuUsPerCall?: number }) =>
      log(`${name.padEnd(40)} ${fmt(r.rate).padStart(10)} calls/s  p50 ${r.p50Ms.toFixed(2)} ms  p99 ${r.p99Ms.toFixed(2)} ms  server CPU ${fmt(r.cpuUsPerCall ?? NaN)} µs/call`);
    line('no-op gRPC unary (before)', noopBefore);
    line('Signet Issue (SoftHSM Ed25519, ledger)', issue);
    line('Signet VerifyCredential (ledger)', verify);
    line('no-op gRPC unary (after)', noopAfter);
    log(`${'no-op gRPC unary (mean)'.padEnd(40)} ${fmt(noop.rate).padStart(10)} calls/s`);
    const figures = { noop, issue, verify, issueRatio: issue.rate / noop.rate, verifyRatio: verify.rate / noop.rate };
    log('');
    log(ratioLine('Issue ÷ no-op gRPC', figures.issueRatio, 0.6));
    log(`${'VerifyCredential ÷ no-op gRPC'.padEnd(44)} ${figures.verifyRatio.toFixed(2).padStart(8)}`);
    log(`${'server CPU per call: no-op ÷ Issue'.padEnd(44)} ${(noop.cpuUsPerCall / issue.cpuUsPerCall).toFixed(2).padStart(8)}`);
    log(`${'server CPU per call: no-op ÷ VerifyCredential'.padEnd(44)} ${(noop.cpuUsPerCall / verify.cpuUsPerCall).toFixed(2).padStart(8)}`);
    return figures;
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const delay = process.argv.find((a) => a.startsWith('--ledger-delay-ms='))?.split('=')[1];
  benchCredentials({ durationMs: 4000, concurrency: 64, sessions: 8, ...(delay ? { ledgerDelayMs: Number(delay) } : {}) }).then(
    () => process.exit(0),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
