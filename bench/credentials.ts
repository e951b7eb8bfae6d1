// Credentials benchmark, interleaved rounds (medians): a no-op gRPC call, and Signet's Issue through
// `signet serve` with a SoftHSM custody key in certified and direct mode, and with an emulated cloud
// KMS (20 ms per call) as custody key in both modes; VerifyCredential; server CPU by thread; and
// custody signatures per 10,000 credentials, counted from the ledger.
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { serviceClient, unary } from '../src/client/grpc.js';
import type { CredentialServiceClient } from '../src/gen/signet/v1/CredentialService.js';
import { softhsmKey } from '../test/helpers/softhsm.js';
import { createAwsKmsTestKey, startAwsKmsEmulator } from '../test/emulators/aws-kms.js';
import { startChild, type ChildServer } from './lib/child-server.js';
import { fmt, ratioLine, runLoad } from './lib/load.js';
import { noopClient } from './lib/noop-server.js';
import { compositionBound, interleave, type RoundResult } from './lib/rounds.js';
import { createCredentials } from '../src/credentials/index.js';
import { Ledger } from '../src/ledger/ledger.js';
import { openSigner } from '../src/signers/index.js';
import { perCall, probeArgs } from './lib/thread-cpu.js';

const here = dirname(fileURLToPath(import.meta.url));
const viaTsx = import.meta.url.endsWith('.ts');

export interface CredentialsBenchOptions {
  durationMs: number;
  rounds: number;
  concurrency: number;
  /** SoftHSM sessions of the custody key (max-sessions). */
  sessions: number;
  /** Injected latency of the emulated KMS, ms. */
  kmsLatencyMs: number;
  /** ledger.batch.max_delay_ms of the servers (Signet's default is 5). */
  ledgerDelayMs?: number;
}

export const CREDENTIALS_DEFAULTS: CredentialsBenchOptions = { durationMs: 2000, rounds: 5, concurrency: 64, sessions: 8, kmsLatencyMs: 20 };

const POLICY = `
rules:
  - name: bench
    agents: [{group: bench}]
    actions: [repo:read]
    resources: ["github.com/acme/*"]
    max_ttl: 5m
`;

interface Server {
  name: string;
  child: ChildServer;
  client: CredentialServiceClient;
  probe: string;
  ledgerDb: string;
  agentId: string;
}

/** Issuances and issuing-key certificates in a server's ledger (read after it stopped). */
function ledgerCounts(db: string): { issuances: number; certificates: number } {
  const d = new Database(db, { readonly: true });
  try {
    let issuances = 0;
    let certificates = 0;
    for (const row of d.prepare('SELECT entry FROM entries').pluck().iterate() as Iterable<Buffer>) {
      const e = JSON.parse(row.toString()) as { type: string; event?: string; what?: string };
      if (e.type === 'issuance' && e.what !== 'passport') issuances++;
      if (e.type === 'key_event' && e.event === 'issuing_key_certified') certificates++;
    }
    return { issuances, certificates };
  } finally {
    d.close();
  }
}

export async function benchCredentials(o: CredentialsBenchOptions = CREDENTIALS_DEFAULTS, log: (line: string) => void = console.log): Promise<Map<string, RoundResult>> {
  const dir = mkdtempSync(join(tmpdir(), 'signet-bench-cred-'));
  const stops: Array<() => Promise<void>> = [];
  const servers: Server[] = [];
  try {
    log(`# credentials benchmark: ${o.rounds} interleaved rounds × ${o.durationMs} ms per figure (medians), ${o.concurrency} calls in flight; every Issue recorded in the ledger (its checkpoints signed by a SoftHSM key)`);
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
    const hsmKey = await softhsmKey('ed25519', `bench-cred-${process.pid}`);
    const ledgerKey = await softhsmKey('ed25519', `bench-ledger-${process.pid}`);
    const kms = await startAwsKmsEmulator();
    stops.push(() => kms.stop());
    const kmsKey = await createAwsKmsTestKey(kms, 'Ed25519', { alias: 'alias/bench-issuer' });
    const policy = join(dir, 'policy.yaml');
    writeFileSync(policy, POLICY);
    const cli = join(here, '..', 'src', 'cli', `main.${viaTsx ? 'ts' : 'js'}`);

    const start = async (name: string, custody: string, signing: 'certified' | 'direct'): Promise<Server> => {
      const data = join(dir, name);
      mkdirSync(data);
      const config = join(data, 'signet.yaml');
      writeFileSync(
        config,
        [
          'listen: 127.0.0.1:0',
          'plaintext: true',
          `data_dir: ${data}`,
          'keys:',
          `  issuer: "${custody}"`,
          `  ledger: "${ledgerKey}&max-sessions=${o.sessions}"`,
          'ledger:',
          '  key: ledger',
          ...(o.ledgerDelayMs === undefined ? [] : ['  batch:', `    max_delay_ms: ${o.ledgerDelayMs}`]),
          'credentials:',
          '  key: issuer',
          '  issuer: https://signet.bench',
          `  policy: ${policy}`,
          `  signing: ${signing}`,
          '',
        ].join('\n'),
      );
      const probe = join(data, 'threads.txt');
      const p = probeArgs(probe);
      const child = await startChild([...p.args, cli, 'serve', '--config', config], { ...p.env, ...kmsKey.env, SIGNET_LOG_LEVEL: 'info' });
      stops.push(() => child.stop());
      const client = serviceClient<CredentialServiceClient>('signet.v1.CredentialService', `127.0.0.1:${child.port}`);
      stops.push(async () => client.close());
      const jwk = generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' });
      const agent = await unary<object, { id: string }>(client, client.RegisterAgent as never, { name: 'bench', public_key_jwk: JSON.stringify(jwk), owner: 'bench', groups: ['bench'] });
      const server = { name, child, client, probe, ledgerDb: join(data, 'ledger.db'), agentId: agent.id };
      servers.push(server);
      return server;
    };
    const hsm = `${hsmKey}&max-sessions=${o.sessions}`;
    const certified = await start('certified-softhsm', hsm, 'certified');
    const direct = await start('direct-softhsm', hsm, 'direct');
    const certifiedKms = await start('certified-kms', kmsKey.uri, 'certified');
    const directKms = await start('direct-kms', kmsKey.uri, 'direct');
    kms.faults.latency(o.kmsLatencyMs);

    const noopProbe = join(dir, 'noop-threads.txt');
    const np = probeArgs(noopProbe);
    const noopScript = join(here, 'lib', `noop-server.${viaTsx ? 'ts' : 'js'}`);
    const noop = await startChild([...np.args, noopScript], np.env);
    stops.push(() => noop.stop());
    const nc = noopClient(`127.0.0.1:${noop.port}`);
    stops.push(async () => nc.close());

    // Issue in this process, without gRPC (certified, file keys, the same ledger path): the backend's own rate.
    const localDir = join(dir, 'in-process');
    mkdirSync(localDir);
    const localCustody = await openSigner(`file://${localDir}/custody.pem?create=true&alg=ed25519`);
    const localLedgerKey = await openSigner(`file://${localDir}/ledger.pem?create=true&alg=ed25519`);
    const localLedger = await Ledger.open({ path: join(localDir, 'ledger.db'), signer: localLedgerKey, origin: 'signet.bench/ledger' });
    const local = await createCredentials({ signer: localCustody, ledger: localLedger, issuer: 'https://signet.bench', db: join(localDir, 'credentials.db'), policyText: POLICY, reloadOnSighup: false, signing: 'certified' });
    stops.push(async () => {
      await local.close();
      await localLedger.close();
      await localCustody.close();
      await localLedgerKey.close();
    });
    const localAgent = await local.agents.register({ name: 'bench', publicKeyJwk: generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' }), owner: 'bench', groups: ['bench'] });

    const intent = { action: 'repo:read', resource: 'github.com/acme/app' };
    const audience = 'https://api.github.com';
    const payload = Buffer.alloc(64, 7);
    const load = { concurrency: o.concurrency, durationMs: o.durationMs, warmupMs: 300 };
    const tokens: string[] = [];
    const issue = (s: Server, keep = false) => async () => {
      const r = await unary<object, { token: string }>(s.client, s.client.Issue as never, { agent_id: s.agentId, intent, audience, ttl_seconds: 300 });
      if (keep && tokens.length < 4096) tokens.push(r.token);
    };
    const srv = (s: Server) => ({ pid: s.child.child.pid!, probe: s.probe });
    await runLoad(issue(certified, true), { concurrency: 8, durationMs: 300 });
    const results = await interleave(
      o.rounds,
      [
        { name: 'no-op', run: () => runLoad(() => unary(nc, nc.Echo as never, { key: 'bench', message: payload }), load), server: { pid: noop.child.pid!, probe: noopProbe } },
        { name: 'Issue in-process (certified, no gRPC)', run: () => runLoad(() => local.issuer.issue({ agentId: localAgent.id, intent, audience, ttlSeconds: 300 }), load) },
        { name: 'Issue certified (SoftHSM custody)', run: () => runLoad(issue(certified, true), load), server: srv(certified) },
        { name: 'Issue direct (SoftHSM custody)', run: () => runLoad(issue(direct), load), server: srv(direct) },
        { name: `Issue certified (KMS ${o.kmsLatencyMs} ms custody)`, run: () => runLoad(issue(certifiedKms), load), server: srv(certifiedKms) },
        { name: `Issue direct (KMS ${o.kmsLatencyMs} ms custody)`, run: () => runLoad(issue(directKms), load), server: srv(directKms) },
        {
          name: 'VerifyCredential (certified)',
          run: () =>
            runLoad(async (i) => {
              const r = await unary<object, { valid: boolean; reason: string }>(certified.client, certified.client.VerifyCredential as never, { token: tokens[i % tokens.length], intent, audience });
              if (!r.valid) throw new Error(`verification failed: ${r.reason}`);
            }, load),
          server: srv(certified),
        },
      ],
      log,
    );
    for (const stop of stops.splice(0).reverse()) await stop().catch(() => {});

    log('');
    for (const [name, x] of results) {
      if (name === 'Issue in-process (certified, no gRPC)') {
        log(`${name.padEnd(40)} ${fmt(x.rate).padStart(9)} calls/s  p50 ${x.p50Ms.toFixed(2)} ms  (file keys; the backend's own rate)`);
        continue;
      }
      log(`${name.padEnd(40)} ${fmt(x.rate).padStart(9)} calls/s  p50 ${x.p50Ms.toFixed(2)} ms  p99 ${x.p99Ms.toFixed(2)} ms`);
      if (x.cpu) log(`${''.padEnd(40)} ${perCall(x.cpu, x.units)}`);
    }
    log('');
    for (const s of servers) {
      const c = ledgerCounts(s.ledgerDb);
      const custody = s.name.startsWith('certified') ? c.certificates : c.issuances;
      log(`${`custody signatures per 10,000 credentials (${s.name})`.padEnd(60)} ${fmt((custody / Math.max(1, c.issuances)) * 10_000, 2).padStart(9)}  (${custody} for ${fmt(c.issuances)} credentials)`);
    }
    const r = (name: string) => results.get(name)!;
    const noopRate = r('no-op').rate;
    const cert = r('Issue certified (SoftHSM custody)');
    const certKms = r(`Issue certified (KMS ${o.kmsLatencyMs} ms custody)`);
    log('');
    const bound = compositionBound(noopRate, r('Issue in-process (certified, no gRPC)').rate);
    log(`${'bound no-op ∘ Issue in-process'.padEnd(44)} ${fmt(bound).padStart(8)} calls/s`);
    log(ratioLine('Issue certified (SoftHSM) ÷ no-op', cert.rate / noopRate, 0.55));
    log(`${'Issue certified (SoftHSM) ÷ bound'.padEnd(44)} ${(cert.rate / bound).toFixed(2).padStart(8)}`);
    log(`${'Issue direct (SoftHSM) ÷ no-op'.padEnd(44)} ${(r('Issue direct (SoftHSM custody)').rate / noopRate).toFixed(2).padStart(8)}`);
    log(ratioLine(`Issue certified (KMS ${o.kmsLatencyMs} ms) ÷ no-op`, certKms.rate / noopRate, 0.55));
    log(`${`Issue direct (KMS ${o.kmsLatencyMs} ms) ÷ no-op`.padEnd(44)} ${(r(`Issue direct (KMS ${o.kmsLatencyMs} ms custody)`).rate / noopRate).toFixed(2).padStart(8)}`);
    log(`${'Issue certified p50: KMS ÷ SoftHSM custody'.padEnd(44)} ${(certKms.p50Ms / cert.p50Ms).toFixed(2).padStart(8)}   (≈ 1: independent of the custody backend's latency)`);
    log(`${'VerifyCredential ÷ no-op'.padEnd(44)} ${(r('VerifyCredential (certified)').rate / noopRate).toFixed(2).padStart(8)}`);
    return results;
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const rounds = Number(process.env.BENCH_ROUNDS ?? CREDENTIALS_DEFAULTS.rounds);
  const durationMs = Number(process.env.BENCH_DURATION_MS ?? CREDENTIALS_DEFAULTS.durationMs);
  const delay = process.argv.find((a) => a.startsWith('--ledger-delay-ms='))?.split('=')[1];
  benchCredentials({ ...CREDENTIALS_DEFAULTS, rounds, durationMs, ...(delay ? { ledgerDelayMs: Number(delay) } : {}) }).then(
    () => process.exit(0),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
