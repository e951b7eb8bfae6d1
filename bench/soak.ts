// Soak: `signet serve` (SoftHSM keys, SQLite ledger) under mixed Sign / AppendReceipt / Issue load
// for SOAK_SECONDS (default 600), its /metrics scraped every 30 s. Reports RSS, open handles, open
// file descriptors and event-loop delay of the server at the start and the end, and any error.
// Usage: node --import tsx bench/soak.ts [--seconds=600] [--concurrency=16]
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SignetClient } from '../src/client/client.js';
import { softhsmKey } from '../test/helpers/softhsm.js';
import { startChild } from './lib/child-server.js';

const here = dirname(fileURLToPath(import.meta.url));
const ext = import.meta.url.endsWith('.ts') ? 'ts' : 'js';
const arg = (name: string, fallback: number) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? process.env[`SOAK_${name.toUpperCase()}`] ?? fallback);

const POLICY = `
rules:
  - name: soak
    agents: [{group: soak}]
    actions: [repo:read]
    resources: ["github.com/acme/*"]
    max_ttl: 5m
`;

interface Sample {
  atS: number;
  rssMiB: number;
  heapMiB: number;
  handles: number;
  fds: number;
  loopP99Ms: number;
  loopMaxMs: number;
}

function metric(text: string, name: string): number {
  const m = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text);
  return m ? Number(m[1]) : NaN;
}

async function sample(metricsPort: number, pid: number, startedAt: number): Promise<Sample> {
  const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
  return {
    atS: Math.round((Date.now() - startedAt) / 1000),
    rssMiB: metric(text, 'process_resident_memory_bytes') / 2 ** 20,
    heapMiB: metric(text, 'nodejs_heap_size_used_bytes') / 2 ** 20,
    handles: metric(text, 'nodejs_active_handles_total'),
    fds: readdirSync(`/proc/${pid}/fd`).length,
    // prom-client's event-loop delay figures cover the time since the previous scrape.
    loopP99Ms: metric(text, 'nodejs_eventloop_lag_p99_seconds') * 1000,
    loopMaxMs: metric(text, 'nodejs_eventloop_lag_max_seconds') * 1000,
  };
}

async function soak(): Promise<void> {
  const seconds = arg('seconds', 600);
  const concurrency = arg('concurrency', 16);
  const dir = mkdtempSync(join(tmpdir(), 'signet-soak-'));
  console.log(`# Signet soak — ${new Date().toISOString()} — ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`);
  console.log(`# ${seconds} s of Sign / AppendReceipt / Issue in turn, ${concurrency} calls in flight; SoftHSM Ed25519 keys; SQLite ledger`);
  const keys = { default: await softhsmKey('ed25519', `soak-default-${process.pid}`), ledger: await softhsmKey('ed25519', `soak-ledger-${process.pid}`), issuer: await softhsmKey('ed25519', `soak-issuer-${process.pid}`) };
  writeFileSync(join(dir, 'policy.yaml'), POLICY);
  const config = join(dir, 'signet.yaml');
  const metricsPort = await freePort();
  writeFileSync(
    config,
    [
      'listen: 127.0.0.1:0',
      'plaintext: true',
      `data_dir: ${dir}`,
      'keys:',
      ...Object.entries(keys).map(([name, uri]) => `  ${name}: "${uri}"`),
      'credentials:',
      '  issuer: https://signet.soak',
      `  policy: ${join(dir, 'policy.yaml')}`,
      'metrics:',
      `  listen: 127.0.0.1:${metricsPort}`,
      '',
    ].join('\n'),
  );
  const cli = join(here, '..', 'src', 'cli', `main.${ext}`);
  const server = await startChild(ext === 'ts' ? ['--import', 'tsx', cli, 'serve', '--config', config] : [cli, 'serve', '--config', config], { SIGNET_LOG_LEVEL: 'info' });
  let log = '';
  server.child.stderr!.on('data', (c: Buffer) => void (log = (log + c.toString()).slice(-20000)));
  const client = new SignetClient({ address: `127.0.0.1:${server.port}`, retry: false, deadlineMs: 30_000 });
  try {
    const jwk = generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' });
    const agent = await client.credentials.registerAgent({ name: 'soak', public_key_jwk: JSON.stringify(jwk), owner: 'soak', groups: ['soak'] });
    const message = Buffer.alloc(64, 7);
    const counts = { sign: 0, append: 0, issue: 0, errors: 0 };
    const errors = new Map<string, number>();
    const calls = [
      async () => {
        await client.signing.sign({ key: 'default', message });
        counts.sign++;
      },
      async (i: number) => {
        await client.ledger.appendReceipt({
          receipt: { agent: agent.id, action: 'repo.read', resource: `github.com/acme/app/${i}`, request_sha256: 'a'.repeat(64), response_sha256: 'b'.repeat(64), outcome: 'success' },
        });
        counts.append++;
      },
      async () => {
        await client.credentials.issue({ agent_id: agent.id, intent: { action: 'repo:read', resource: 'github.com/acme/app' }, audience: 'https://api.github.com', ttl_seconds: 60 });
        counts.issue++;
      },
    ];
    const startedAt = Date.now();
    const samples: Sample[] = [await sample(metricsPort, server.child.pid!, startedAt)];
    const timer = setInterval(() => void sample(metricsPort, server.child.pid!, startedAt).then((s) => samples.push(s), () => {}), 30_000);
    let n = 0;
    const until = startedAt + seconds * 1000;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (Date.now() < until) {
          const i = n++;
          try {
            await calls[i % 3]!(i);
          } catch (err) {
            counts.errors++;
            const key = String((err as { code?: string }).code ?? (err as Error).message).slice(0, 80);
            errors.set(key, (errors.get(key) ?? 0) + 1);
          }
        }
      }),
    );
    clearInterval(timer);
    samples.push(await sample(metricsPort, server.child.pid!, startedAt));
    const elapsed = (Date.now() - startedAt) / 1000;
    const first = samples[1] ?? samples[0]!; // the first full 30 s window under load
    const last = samples.at(-1)!;
    console.log('');
    console.log(`calls: ${counts.sign} Sign, ${counts.append} AppendReceipt, ${counts.issue} Issue in ${elapsed.toFixed(0)} s (${((counts.sign + counts.append + counts.issue) / elapsed).toFixed(0)}/s); errors: ${counts.errors}${errors.size ? ` (${[...errors].map(([k, v]) => `${k}: ${v}`).join(', ')})` : ''}`);
    console.log('');
    console.log('| server | at start (first 30 s window) | at end (last window) |');
    console.log('|---|---|---|');
    const row = (name: string, a: number, b: number, unit: string, digits = 1) => console.log(`| ${name} | ${a.toFixed(digits)} ${unit} | ${b.toFixed(digits)} ${unit} |`);
    row('RSS', first.rssMiB, last.rssMiB, 'MiB');
    row('heap used', first.heapMiB, last.heapMiB, 'MiB');
    row('open handles (nodejs_active_handles)', first.handles, last.handles, '', 0);
    row('open file descriptors (/proc)', first.fds, last.fds, '', 0);
    row('event-loop delay p99', first.loopP99Ms, last.loopP99Ms, 'ms');
    row('event-loop delay max', first.loopMaxMs, last.loopMaxMs, 'ms');
    console.log('');
    console.log('timeline (s: RSS MiB / handles / fds / loop p99 ms):');
    console.log(samples.map((s) => `${s.atS}: ${s.rssMiB.toFixed(0)} / ${s.handles} / ${s.fds} / ${s.loopP99Ms.toFixed(1)}`).join('; '));
  } catch (err) {
    console.error(`soak failed: ${(err as Error).message}\nserver log tail:\n${log.slice(-4000)}`);
    process.exitCode = 1;
  } finally {
    client.close();
    await server.stop().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A port free right now, for the metrics listener. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

soak().then(() => process.exit(process.exitCode ?? 0));
