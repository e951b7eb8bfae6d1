// Scale-out end to end: three Signet replica processes (the real start-up, gRPC, one PostgreSQL
// schema) behind no balancer but the clients' own choice. Replicas are killed with SIGKILL while
// the others take load; everything a client was told must hold, checked by independent code.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { AgentKey } from '../../src/client/agent.js';
import { SignetClient } from '../../src/client/client.js';
import type { AppendReceiptRequest } from '../../src/gen/signet/v1/AppendReceiptRequest.js';
import { PgLedgerStore } from '../../src/ledger/pg-store.js';
import { LedgerReader } from '../../src/ledger/reader.js';
import '../../src/signers/file/driver.js';
import { openSigner } from '../../src/signers/registry.js';
import { REPO } from '../helpers/cli.js';
import { testSchema, type TestSchema } from '../helpers/postgres.js';
import { checkNote, consistent, rootFromInclusion } from '../ledger/independent.js';

const CHILD = join(REPO, 'test', 'helpers', 'replica-child.ts');
const ORIGIN = 'signet.test/replicas';
const ISSUER = 'https://signet.test';
const AUD = 'https://api.github.com';
const ROUNDS = 10;
const WORKERS = 4;
const POLICY = `
rules:
  - name: ci-read
    agents: [{group: ci}]
    actions: [repo:read]
    resources: ["github.com/acme/*"]
    audiences: [${AUD}]
    require_pop: true
  - name: deploy-once
    agents: [{group: ci}]
    actions: [deploy]
    resources: ["env/*"]
    audiences: [${AUD}]
    single_use: true
`;

interface Replica {
  child: ChildProcess;
  port: number;
  client: SignetClient;
  exited: Promise<unknown>;
}

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

describe('three Signet replica processes on one PostgreSQL', () => {
  let dir: string;
  let db: TestSchema;
  let ledgerPem: string;
  let config: Record<string, unknown>;
  const replicas: Array<Replica | undefined> = [undefined, undefined, undefined];
  const children = new Set<ChildProcess>();

  let started = 0;
  const start = (): Promise<Replica> => {
    // Each replica process has its own data directory (one writer per directory); the keys and the
    // database are what they share.
    const own = { ...config, data_dir: join(dir, `replica-${++started}`) };
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, JSON.stringify(own)], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
    const exited = new Promise((ok) => child.once('exit', ok));
    // Every child is ended in after(), also one whose start-up the test never saw finish.
    children.add(child);
    void exited.then(() => children.delete(child));
    return new Promise((resolve, reject) => {
      let out = '';
      let err = '';
      child.stdout!.on('data', (d) => {
        out += d;
        const m = /PORT (\d+)/.exec(out);
        if (m && !out.includes('RESOLVED')) {
          out += 'RESOLVED';
          const port = Number(m[1]);
          resolve({ child, port, exited, client: new SignetClient({ address: `127.0.0.1:${port}`, retry: false, deadlineMs: 15_000 }) });
        }
      });
      child.stderr!.on('data', (d) => (err += d));
      child.once('exit', (code) => reject(new Error(`replica exited (${code}) before serving: ${err}`)));
    });
  };
  const kill = async (i: number) => {
    const r = replicas[i]!;
    replicas[i] = undefined;
    r.child.kill('SIGKILL');
    await r.exited;
    r.client.close();
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'signet-replicas-'));
    db = await testSchema('replicas');
    // Keys exist before the replicas start: each replica opens the same key files (one custody key).
    for (const name of ['ledger', 'issuer']) {
      const s = await openSigner(`file://${dir}/${name}.pem?create=true&alg=ed25519`);
      if (name === 'ledger') ledgerPem = (await s.publicKey()).pem;
      await s.close();
    }
    writeFileSync(join(dir, 'policy.yaml'), POLICY);
    config = {
      listen: '127.0.0.1:0',
      plaintext: true,
      data_dir: dir,
      keys: { ledger: `file:${dir}/ledger.pem`, issuer: `file:${dir}/issuer.pem` },
      ledger: { store: 'postgres', origin: ORIGIN, batch: { max_delay_ms: 2, max_entries: 512 } },
      credentials: { issuer: ISSUER, policy: join(dir, 'policy.yaml') },
      postgres: { url: db.url, schema: db.schema, pool_size: 4 },
    };
  });
  after(async () => {
    for (let i = 0; i < replicas.length; i++) if (replicas[i]) await kill(i);
    for (const child of children) child.kill('SIGKILL');
    await db.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('when three replicas start at the same instant on an empty database, each migration runs once and all three serve one ledger', async () => {
    const started = await Promise.all([start(), start(), start()]);
    started.forEach((r, i) => (replicas[i] = r));
    const { rows } = await db.query<{ component: string; n: number }>('SELECT component, count(*)::int AS n, max(version) AS v FROM signet_migrations GROUP BY component ORDER BY component');
    assert.deepEqual(rows.map((r) => r.component), ['credentials', 'ledger']);
    const applied = await db.query<{ component: string; version: number }>('SELECT component, version FROM signet_migrations ORDER BY component, version');
    assert.equal(new Set(applied.rows.map((r) => `${r.component}/${r.version}`)).size, applied.rows.length, 'no migration recorded twice');
    const sizes = await Promise.all(started.map((r) => r.client.ledger.getCheckpoint({})));
    assert.deepEqual(sizes.map((c) => Number(c.size)), [0, 0, 0]);
    const genesis = await db.query('SELECT size::int AS size FROM checkpoints');
    assert.deepEqual(genesis.rows, [{ size: 0 }]);
  });

  it(`when a random replica is killed with SIGKILL ${ROUNDS} times while clients append through all three, every acknowledged receipt is there once at its index, indices are 0..n-1, VerifyChain is valid, and each checkpoint is consistent with the next`, async (ctx) => {
    const began = Date.now();
    const acked = new Map<number, Buffer>();
    const retry: AppendReceiptRequest[] = [];
    let seq = 0;
    let failedCalls = 0;
    let stop = false;
    const remember = (entry: Buffer, index: number) => {
      const known = acked.get(index);
      if (known) assert.ok(known.equals(entry), `index ${index} was acknowledged for two different entries`);
      acked.set(index, entry);
    };
    const request = (w: number): AppendReceiptRequest => {
      const n = ++seq;
      const resource = `replicas/${w}/${n}`;
      return {
        receipt: { agent: `w${w}`, action: 'write', resource, request_sha256: sha(`q${n}`), response_sha256: sha(`r${n}`), outcome: 'success' },
        idempotency_key: n % 2 === 0 ? resource : '',
      };
    };
    const worker = async (w: number) => {
      let turn = w;
      while (!stop) {
        const live = replicas.filter((r): r is Replica => r !== undefined);
        const r = live[turn++ % live.length];
        if (!r) {
          await sleep(5);
          continue;
        }
        const reqs = w === 0 && retry.length > 0 ? retry.splice(0, 20) : Array.from({ length: w % 3 === 0 ? 20 : 1 }, () => request(w));
        try {
          if (reqs.length === 1) {
            const b = await r.client.ledger.appendReceipt(reqs[0]!);
            remember(b.entry, Number(b.index));
          } else {
            const res = await r.client.ledger.appendReceipts({ receipts: reqs });
            res.receipts.forEach((b) => remember(b.entry, Number(b.index)));
          }
          await sleep(3); // leaves the two cores some room for restarting replicas
        } catch {
          failedCalls++;
          // An unanswered keyed append is sent again, to whichever replica comes next.
          retry.push(...reqs.filter((q) => q.idempotency_key));
        }
      }
    };
    const workers = Array.from({ length: WORKERS }, (_, w) => worker(w));
    // A killed replica restarts in the background while the others take the load. Up to two may
    // be down at once; at least one always serves.
    const restarts: Promise<void>[] = [];
    const pending = new Set<Promise<void>>();
    const down = new Set<number>();
    try {
      for (let round = 0; round < ROUNDS; round++) {
        const t0 = Date.now();
        while (down.size >= 2) await Promise.race(pending);
        const before = acked.size;
        const waitUntil = Date.now() + 15_000;
        while (acked.size < before + 20 && Date.now() < waitUntil) await sleep(10);
        assert.ok(acked.size > before, `round ${round}: appends were acknowledged`);
        const live = [0, 1, 2].filter((i) => !down.has(i));
        const victim = live[Math.floor(Math.random() * live.length)]!;
        await kill(victim);
        down.add(victim);
        const restart = start().then((r) => {
          replicas[victim] = r;
          down.delete(victim);
        });
        restarts.push(restart);
        pending.add(restart);
        void restart.finally(() => pending.delete(restart)).catch(() => {});
        const during = acked.size;
        const downUntil = Date.now() + 15_000;
        while (acked.size < during + 10 && Date.now() < downUntil) await sleep(10);
        assert.ok(acked.size > during, `round ${round}: the remaining replicas went on acknowledging`);
        ctx.diagnostic(`round ${round}: killed replica ${victim} after ${Date.now() - t0} ms`);
      }
      await Promise.all(restarts);
      // Each replica, restarted or not, takes appends again.
      for (const r of replicas) await r!.client.ledger.appendReceipt(request(99));
    } finally {
      stop = true;
      await Promise.allSettled([...workers, ...restarts]);
    }
    // Retries of keyed appends cut off by a kill land now, once.
    const survivor = replicas.find((r) => r)!;
    while (retry.length) {
      const reqs = retry.splice(0, 20);
      const res = await survivor.client.ledger.appendReceipts({ receipts: reqs });
      res.receipts.forEach((b) => remember(b.entry, Number(b.index)));
    }
    ctx.diagnostic(`load phase done at ${Date.now() - began} ms`);
    const store = await PgLedgerStore.open({ url: db.url, schema: db.schema, poolSize: 2 });
    try {
      const latest = (await store.latestCheckpoint())!;
      const cp = checkNote(latest.note, ledgerPem);
      assert.equal(await store.entryCount(), cp.size, 'no entry beyond the latest checkpoint');
      const entries = await store.entries(0, cp.size);
      assert.deepEqual(entries.map((e) => e.index), Array.from({ length: cp.size }, (_, i) => i), 'indices 0..n-1, no gap, no repeat');
      for (const [index, entry] of acked) {
        assert.ok(Buffer.from(entries[index]!.entry).equals(entry), `entry ${index} is the one acknowledged`);
      }
      // Every acknowledged receipt proves into the latest checkpoint, by independent code.
      const sample = [...acked.keys()].filter((_, i) => i % 37 === 0);
      for (const index of sample) {
        const p = await survivor.client.ledger.getInclusionProof({ index, tree_size: cp.size });
        assert.ok(rootFromInclusion(entries[index]!.leafHash, index, cp.size, p.proof).equals(cp.root), `entry ${index} is proved in checkpoint ${cp.size}`);
      }
      const resources = new Set<string>();
      for (const e of entries) {
        const resource = JSON.parse(Buffer.from(e.entry).toString()).resource as string;
        assert.ok(!resources.has(resource), `${resource} is in the ledger once, retries included`);
        resources.add(resource);
      }
      const checkpoints = await store.checkpointsBetween(1, cp.size);
      const reader = new LedgerReader(store);
      for (let i = 1; i < checkpoints.length; i++) {
        const [a, b] = [checkNote(checkpoints[i - 1]!.note, ledgerPem), checkNote(checkpoints[i]!.note, ledgerPem)];
        const { proof } = await reader.consistency(a.size, b.size);
        assert.ok(consistent(a.size, b.size, proof, a.root, b.root), `checkpoint ${a.size} is consistent with ${b.size}`);
      }
      // VerifyChain from one replica (they read one database), and the others agree on the head.
      const report = await survivor.client.ledger.verifyChain({});
      assert.equal(report.valid, true, report.reason);
      assert.equal(Number(report.entries_checked), cp.size);
      for (const r of replicas) assert.equal(Number((await r!.client.ledger.getCheckpoint({})).size), cp.size);
      assert.ok(failedCalls > 0, 'some calls were cut off by the kills');
      ctx.diagnostic(`checks done at ${Date.now() - began} ms`);
      ctx.diagnostic(`${ROUNDS} kills; ${acked.size} receipts acknowledged, ${cp.size} entries, ${checkpoints.length} checkpoints, ${failedCalls} calls cut off`);
    } finally {
      await store.close();
    }
  });

  describe('one credential state across replicas', () => {
    let agent: AgentKey;
    const [a, b, c] = [0, 1, 2].map((i) => () => replicas[i]!.client.credentials);
    const deploy = { action: 'deploy', resource: 'env/prod' };
    before(async () => {
      agent = AgentKey.generate();
      await a().registerAgent({ name: 'ci-bot', public_key_jwk: JSON.stringify(agent.publicJwk), owner: 'acme', groups: ['ci'] });
    });

    it('an agent registered on one replica is known to the others at once', async () => {
      assert.equal((await b().getAgent({ agent_id: agent.did })).id, agent.did);
      assert.equal((await c().getAgent({ agent_id: agent.did })).id, agent.did);
    });

    it('when three replicas race to consume one single-use credential, exactly one consumes it, every round', async () => {
      for (let round = 0; round < 10; round++) {
        const issued = await b().issue({ agent_id: agent.did, intent: deploy, audience: AUD, pop: agent.issueProof(deploy, AUD) });
        assert.equal(issued.single_use, true);
        const answers = await Promise.all([a, b, c].map((api) => api().verifyCredential({ token: issued.token, intent: deploy, audience: AUD, consume: true, presentation: agent.presentationProof(issued.token, AUD) })));
        assert.equal(answers.filter((r) => r.valid).length, 1, `round ${round}: ${answers.map((r) => r.reason)}`);
        assert.deepEqual(answers.filter((r) => !r.valid).map((r) => r.reason), ['already_used', 'already_used']);
      }
    });

    it('a signed request accepted by one replica is a replay at every other, also when sent to two at once', async () => {
      const read = { action: 'repo:read', resource: 'github.com/acme/app' };
      const proof = agent.issueProof(read, AUD);
      await a().issue({ agent_id: agent.did, intent: read, audience: AUD, pop: proof });
      for (const api of [b, c, a]) {
        await assert.rejects(api().issue({ agent_id: agent.did, intent: read, audience: AUD, pop: proof }), (e: Error) => /nonce/.test(e.message), 'replayed');
      }
      for (let round = 0; round < 5; round++) {
        const once = agent.issueProof(read, AUD);
        const outcomes = await Promise.allSettled([b(), c()].map((api) => api.issue({ agent_id: agent.did, intent: read, audience: AUD, pop: once })));
        assert.equal(outcomes.filter((o) => o.status === 'fulfilled').length, 1, `round ${round}`);
      }
    });

    it('a credential revoked on one replica is refused by every replica at once, and so is a revoked agent', async () => {
      const read = { action: 'repo:read', resource: 'github.com/acme/app' };
      const issued = await a().issue({ agent_id: agent.did, intent: read, audience: AUD, pop: agent.issueProof(read, AUD) });
      await c().revokeCredential({ jti: issued.jti, reason: 'key_compromise' });
      for (const api of [a, b, c]) {
        const v = await api().verifyCredential({ token: issued.token, intent: read, audience: AUD, presentation: agent.presentationProof(issued.token, AUD) });
        assert.deepEqual([v.valid, v.reason], [false, 'revoked']);
      }
      await b().revokeAgent({ agent_id: agent.did, reason: 'retired' });
      for (const api of [a, c]) {
        await assert.rejects(api().issue({ agent_id: agent.did, intent: read, audience: AUD, pop: agent.issueProof(read, AUD) }), (e: Error) => /revoked/.test(e.message));
      }
    });
  });
});

