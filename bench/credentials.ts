// Credentials benchmark: a no-op gRPC unary call, Signet's Issue (SoftHSM Ed25519 key, every
// credential recorded in the ledger) and VerifyCredential, all in this one run, and their ratios.
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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
}

export interface CredentialsBenchFigures {
  noop: LoadResult;
  issue: LoadResult;
  verify: LoadResult;
  issueRatio: number;
  verifyRatio: number;
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
  try {
    log(`# credentials benchmark (${o.durationMs} ms per figure, ${o.concurrency} calls in flight, SoftHSM Ed25519, ${o.sessions} sessions)`);
    const noopServer = await startChild(childArgs('noop-server'));
    const nc = noopClient(`127.0.0.1:${noopServer.port}`);
    const payload = Buffer.alloc(64, 7);
    const noop = await runLoad(() => unary(nc, nc.Echo as never, { key: 'bench', message: payload }), { concurrency: o.concurrency, durationMs: o.durationMs, warmupMs: 500 });
    nc.close();
    await noopServer.stop();
    log(`no-op gRPC unary                       ${fmt(noop.rate).padStart(10)} calls/s  p50 ${noop.p50Ms.toFixed(2)} ms  p99 ${noop.p99Ms.toFixed(2)} ms`);

    const key = await softhsmKey('ed25519', `bench-cred-${process.pid}`);
    const policy = join(dir, 'policy.yaml');
    writeFileSync(policy, POLICY);
    const server = await startChild(childArgs('credentials-server'), {
      SIGNET_BENCH_KEY: `${key}&max-sessions=${o.sessions}`,
      SIGNET_BENCH_DIR: dir,
      SIGNET_BENCH_POLICY: policy,
    });
    const client = serviceClient<CredentialServiceClient>('signet.v1.CredentialService', `127.0.0.1:${server.port}`);
    try {
      const jwk = generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' });
      const agent = await unary<object, { id: string }>(client, client.RegisterAgent as never, { name: 'bench', public_key_jwk: JSON.stringify(jwk), owner: 'bench', groups: ['bench'] });
      const intent = { action: 'repo:read', resource: 'github.com/acme/app' };
      const audience = 'https://api.github.com';
      const tokens: string[] = [];
      const issue = await runLoad(
        async () => {
          const r = await unary<object, { token: string }>(client, client.Issue as never, { agent_id: agent.id, intent, audience, ttl_seconds: 300 });
          if (tokens.length < 4096) tokens.push(r.token);
        },
        { concurrency: o.concurrency, durationMs: o.durationMs, warmupMs: 500 },
      );
      log(`Signet Issue (SoftHSM Ed25519, ledger)  ${fmt(issue.rate).padStart(10)} calls/s  p50 ${issue.p50Ms.toFixed(2)} ms  p99 ${issue.p99Ms.toFixed(2)} ms`);
      const verify = await runLoad(
        async (i) => {
          const r = await unary<object, { valid: boolean; reason: string }>(client, client.VerifyCredential as never, { token: tokens[i % tokens.length], intent, audience });
          if (!r.valid) throw new Error(`verification failed: ${r.reason}`);
        },
        { concurrency: o.concurrency, durationMs: o.durationMs, warmupMs: 500 },
      );
      log(`Signet VerifyCredential (ledger)        ${fmt(verify.rate).padStart(10)} calls/s  p50 ${verify.p50Ms.toFixed(2)} ms  p99 ${verify.p99Ms.toFixed(2)} ms`);
      const figures = { noop, issue, verify, issueRatio: issue.rate / noop.rate, verifyRatio: verify.rate / noop.rate };
      log('');
      log(ratioLine('Issue ÷ no-op gRPC', figures.issueRatio, 0.6));
      log(`${'VerifyCredential ÷ no-op gRPC'.padEnd(44)} ${figures.verifyRatio.toFixed(2).padStart(8)}`);
      return figures;
    } finally {
      client.close();
      await server.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  benchCredentials().then(
    () => process.exit(0),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
