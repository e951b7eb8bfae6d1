// `signet monitor` follows a ledger over gRPC: it verifies a growing real ledger step by step and
// cosigns as a witness (the cosignatures verify with an implementation of C2SP tlog-cosignature
// written here from the spec); Signet serves the cosigned checkpoint and receipts can require
// witnesses. A forged fork — inconsistent checkpoints signed by the same key, served by a stub
// made here — is caught with evidence, as is a rollback.
import assert from 'node:assert/strict';
import { createHash, createPrivateKey, createPublicKey, verify as nodeVerify, type KeyObject } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { spawn } from 'node:child_process';
import * as grpc from '@grpc/grpc-js';
import { SignetClient, SignetClientError, verifyReceiptBundle } from '../../src/client/index.js';
import { consistencyProof, memoryTree, type MemoryTree } from '../../src/ledger/merkle.js';
import { formatCheckpoint, signNote } from '../../src/ledger/note.js';
import { loadPackageDefinition } from '../../src/server/proto.js';
import { openSigner } from '../../src/signers/index.js';
import type { Signer } from '../../src/signers/contract.js';
import { REPO, runCli, type CliResult } from '../helpers/cli.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const hex = (c: string) => c.repeat(64);

function runCliAsync(args: string[], env: NodeJS.ProcessEnv): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(REPO, 'src/cli/main.ts'), ...args], { cwd: REPO, env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.once('close', (status) => resolve({ status, stdout, stderr }));
  });
}
const receipt = (i: number) => ({ receipt: { agent: `a${i}`, action: 'x', resource: `r/${i}`, request_sha256: hex('1'), response_sha256: hex('2'), outcome: 'success' } });

/** c2sp.org/tlog-cosignature, Ed25519 cosignature/v1, from the spec: key ID, vkey, line check. */
const spec = {
  raw: (key: KeyObject) => Buffer.from((createPublicKey(key).export({ format: 'jwk' }) as { x: string }).x, 'base64url'),
  keyId: (name: string, raw: Buffer) => createHash('sha256').update(Buffer.concat([Buffer.from(name, 'utf8'), Buffer.from([0x0a, 0x04]), raw])).digest().subarray(0, 4),
  vkey: (name: string, raw: Buffer) => `${name}+${spec.keyId(name, raw).toString('hex')}+${Buffer.concat([Buffer.from([0x04]), raw]).toString('base64')}`,
  /** The timestamps of the lines by (name, key) whose signature verifies over the note's body. */
  verify(note: string, name: string, key: KeyObject): number[] {
    const split = note.lastIndexOf('\n\n');
    const body = note.slice(0, split + 1);
    const out: number[] = [];
    for (const line of note.slice(split + 2).split('\n')) {
      if (!line.startsWith(`\u2014 ${name} `)) continue;
      const blob = Buffer.from(line.slice(`\u2014 ${name} `.length), 'base64');
      if (blob.length !== 4 + 8 + 64 || !blob.subarray(0, 4).equals(spec.keyId(name, spec.raw(key)))) continue;
      const timestamp = blob.readBigUInt64BE(4);
      const message = Buffer.from(`cosignature/v1\ntime ${timestamp}\n${body}`, 'utf8');
      if (nodeVerify(null, message, createPublicKey(key), blob.subarray(12))) out.push(Number(timestamp));
    }
    return out;
  },
};

describe('signet monitor against a real, growing ledger, cosigning as a witness', () => {
  const dir = mkdtempSync(join(tmpdir(), 'signet-monitor-'));
  const witnessKeyPath = join(dir, 'witness.pem');
  const statePath = join(dir, 'state.json');
  let witnessKey: KeyObject;
  let server: TestServer;
  let signet: SignetClient;
  let ledgerKeyPath: string;

  // Asynchronous: the Signet server it talks to runs in this process.
  const monitor = (extra: string[] = []) =>
    runCliAsync(['monitor', '--server', server.address, '--ledger-key', ledgerKeyPath, '--origin', 'signet.test/monitor', '--state', statePath, '--once', ...extra], { HOME: dir });

  before(async () => {
    // The witness key is made by the monitor itself; its vkey is what the operator configures.
    const made = runCli(['monitor', '--witness-key', witnessKeyPath, '--witness-name', 'witness.test/w1', '--print-vkey'], { HOME: dir });
    assert.equal(made.status, 0, made.stderr);
    witnessKey = createPrivateKey(readFileSync(witnessKeyPath, 'utf8'));
    assert.equal(made.stdout.trim(), spec.vkey('witness.test/w1', spec.raw(witnessKey)), 'the vkey is the spec\'s');
    server = await startTestServer({ keys: { ledger: 'file:{dir}/ledger.pem?create=true' }, ledger: { origin: 'signet.test/monitor', witnesses: [made.stdout.trim()] } });
    signet = new SignetClient({ address: server.address });
    ledgerKeyPath = join(server.dir, 'ledger.pub.pem');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(ledgerKeyPath, (await server.running.keys.byName('ledger')!.signer.publicKey()).pem);
  });
  after(async () => {
    signet?.close();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('verifies each new checkpoint against the last, keeps it on disk, and cosigns it', async () => {
    const sizes: number[] = [];
    for (const n of [3, 1, 7]) {
      await signet.ledger.appendReceipts({ receipts: Array.from({ length: n }, (_, i) => receipt(i)) });
      const r = await monitor(['--witness-key', witnessKeyPath, '--witness-name', 'witness.test/w1']);
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stderr, /cosigned as witness\.test\/w1/);
      const state = JSON.parse(readFileSync(statePath, 'utf8'));
      sizes.push(state.size);
      const cosigned = await signet.ledger.getCheckpoint({ size: state.size, with_cosignatures: true });
      assert.equal(spec.verify(cosigned.note, 'witness.test/w1', witnessKey).length, 1, 'one cosignature by the witness verifies, per the spec');
      assert.ok(cosigned.note.startsWith(state.note.slice(0, state.note.lastIndexOf('\n\n'))));
    }
    assert.ok(sizes[0]! < sizes[1]! && sizes[1]! < sizes[2]!, `sizes grow: ${sizes}`);
    const again = await monitor();
    assert.equal(again.status, 0, again.stderr);
    // Without with_cosignatures the checkpoint is as the ledger signed it.
    const plain = await signet.ledger.getCheckpoint({});
    assert.deepEqual(spec.verify(plain.note, 'witness.test/w1', witnessKey), []);
  });

  it('running (no --once), it follows appends as they come and stops cleanly on SIGTERM', async () => {
    const runningState = join(dir, 'running-state.json');
    const child = spawn(process.execPath, ['--import', 'tsx', join(REPO, 'src/cli/main.ts'), 'monitor', '--server', server.address, '--ledger-key', ledgerKeyPath, '--state', runningState, '--interval', '200'], { cwd: REPO, env: { ...process.env, HOME: dir } });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
    const sizeNow = () => (existsSync(runningState) ? (JSON.parse(readFileSync(runningState, 'utf8')).size as number) : -1);
    const waitFor = async (size: number) => {
      for (let i = 0; i < 300 && sizeNow() < size; i++) await new Promise((r) => setTimeout(r, 100));
      assert.ok(sizeNow() >= size, `the monitor reached ${sizeNow()}, not ${size}:\n${stderr}`);
    };
    for (let round = 0; round < 3; round++) {
      const res = await signet.ledger.appendReceipts({ receipts: [receipt(round), receipt(round + 1)] });
      await waitFor(res.receipts[1]!.tree_size);
    }
    child.kill('SIGTERM');
    assert.equal(await exited, 0, stderr);
  });

  it('a receipt at a cosigned checkpoint verifies when it requires the witness, and not when it requires two', async () => {
    const state = JSON.parse(readFileSync(statePath, 'utf8'));
    const proof = await signet.ledger.getInclusionProof({ index: 1, tree_size: state.size, with_cosignatures: true });
    const entry = await signet.ledger.getEntry({ index: 1 });
    const bundle = { entry: entry.entry, index: 1, leaf_hash: proof.leaf_hash, inclusion_proof: proof.proof, checkpoint: proof.checkpoint, tree_size: proof.tree_size };
    const vkey = spec.vkey('witness.test/w1', spec.raw(witnessKey));
    const one = verifyReceiptBundle(bundle, { keys: readFileSync(ledgerKeyPath, 'utf8'), witnesses: { keys: [vkey], required: 1 } });
    assert.ok(one.valid, JSON.stringify(one));
    assert.deepEqual(one.cosignedBy, ['witness.test/w1']);
    const other = spec.vkey('witness.test/w2', spec.raw(createPrivateKey(readFileSync(join(server.dir, 'ledger.pem'), 'utf8'))));
    const two = verifyReceiptBundle(bundle, { keys: readFileSync(ledgerKeyPath, 'utf8'), witnesses: { keys: [vkey, other], required: 2 } });
    assert.ok(!two.valid && two.check === 'witnesses', JSON.stringify(two));
    const fresh = await signet.ledger.getInclusionProof({ index: 1, tree_size: state.size });
    const uncosigned = verifyReceiptBundle({ ...bundle, checkpoint: fresh.checkpoint }, { keys: readFileSync(ledgerKeyPath, 'utf8'), witnesses: { keys: [vkey], required: 1 } });
    assert.ok(!uncosigned.valid && uncosigned.check === 'witnesses');
  });

  it('Signet refuses a cosignature by an unknown witness, or of a checkpoint it did not sign', async () => {
    const cp = await signet.ledger.getCheckpoint({});
    const body = cp.note.slice(0, cp.note.lastIndexOf('\n\n') + 1);
    const { cosignatureLine } = await import('../../src/ledger/cosignature.js');
    const stranger = createPrivateKey(readFileSync(join(server.dir, 'ledger.pem'), 'utf8'));
    const unknown = await signet.ledger.addCosignature({ note: cp.note + cosignatureLine(body, 'witness.test/w9', stranger) }).catch((e: unknown) => e);
    assert.ok(unknown instanceof SignetClientError && unknown.code === 'PERMISSION_DENIED', String(unknown));
    const forgedBody = body.replace(/\n[^\n]+\n$/, `\n${Buffer.alloc(32, 7).toString('base64')}\n`);
    const forged = await signet.ledger.addCosignature({ note: `${forgedBody}\n${cp.note.slice(body.length + 1)}${cosignatureLine(forgedBody, 'witness.test/w1', witnessKey)}` }).catch((e: unknown) => e);
    assert.ok(forged instanceof SignetClientError && forged.code === 'FAILED_PRECONDITION', String(forged));
  });
});

describe('signet monitor against a ledger that forks', () => {
  const dir = mkdtempSync(join(tmpdir(), 'signet-monitor-fork-'));
  const statePath = join(dir, 'state.json');
  const ORIGIN = 'signet.test/forked';
  const grpcServer = new grpc.Server();
  let port: number;
  let signer: Signer;
  let ledgerKeyPath: string;
  /** What the stub serves: a tree and the signed checkpoints of some of its sizes. */
  let current: { tree: MemoryTree; notes: Map<number, string>; latest: number };

  const build = async (entries: string[], signedAt: number[]) => {
    const tree = memoryTree();
    const notes = new Map<number, string>();
    for (const [i, e] of entries.entries()) {
      tree.appendEntry(Buffer.from(e));
      if (signedAt.includes(i + 1)) notes.set(i + 1, await signNote(formatCheckpoint({ origin: ORIGIN, size: i + 1, root: tree.root() }), ORIGIN, signer));
    }
    // The root at each signed size, kept from when it was signed.
    return { tree, notes, latest: Math.max(...signedAt) };
  };
  // Asynchronous: the stub answering the monitor lives in this process.
  const monitor = () => runCliAsync(['monitor', '--server', `127.0.0.1:${port}`, '--ledger-key', ledgerKeyPath, '--state', statePath, '--evidence', join(dir, 'evidence.json'), '--once'], { HOME: dir });

  before(async () => {
    signer = await openSigner(`file:${dir}/ledger.pem?create=true&alg=ed25519`);
    ledgerKeyPath = join(dir, 'ledger.pub.pem');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(ledgerKeyPath, (await signer.publicKey()).pem);
    const pkg = grpc.loadPackageDefinition(loadPackageDefinition()) as any;
    grpcServer.addService(pkg.signet.v1.LedgerService.service, {
      GetCheckpoint: (_call: unknown, cb: grpc.sendUnaryData<unknown>) => cb(null, { size: current.latest, root: Buffer.alloc(32), note: current.notes.get(current.latest) }),
      GetConsistencyProof: (call: grpc.ServerUnaryCall<{ size1: number; size2: number }, unknown>, cb: grpc.sendUnaryData<unknown>) => {
        const { size1, size2 } = call.request;
        consistencyProof(size1, size2, current.tree.read).then((proof) => cb(null, { size1, size2, proof, checkpoint: current.notes.get(size2) }), (err) => cb(err));
      },
    });
    port = await new Promise<number>((resolve, reject) => grpcServer.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))));
  });
  after(async () => {
    grpcServer.forceShutdown();
    await signer?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const honest = Array.from({ length: 12 }, (_, i) => `entry ${i}`);

  it('an honest log that grows verifies', async () => {
    current = await build(honest.slice(0, 5), [5]);
    assert.equal((await monitor()).status, 0);
    current = await build(honest.slice(0, 9), [5, 9]);
    const r = await monitor();
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /verified 5 → 9/);
    assert.equal(JSON.parse(readFileSync(statePath, 'utf8')).size, 9);
  });

  it('when a larger checkpoint, signed by the same key, rewrites history, exits 1 with the evidence', async () => {
    const forked = [...honest.slice(0, 9)];
    forked[3] = 'entry 3, rewritten';
    current = await build([...forked, 'entry 9', 'entry 10'], [9, 11]);
    const r = await monitor();
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /FORK: .*does not extend/);
    const evidence = JSON.parse(readFileSync(join(dir, 'evidence.json'), 'utf8'));
    assert.equal(evidence.kind, 'fork');
    assert.equal(evidence.previous.size, 9);
    assert.equal(evidence.latest.size, 11);
    assert.ok(evidence.consistencyProof.length > 0);
    // Both checkpoints carry a valid signature by the ledger key (checked here with node:crypto).
    const pub = createPublicKey(readFileSync(ledgerKeyPath, 'utf8'));
    for (const note of [evidence.previous.note, evidence.latest.note]) {
      const split = note.lastIndexOf('\n\n');
      const blob = Buffer.from(note.slice(split + 2).trim().split(' ').at(-1), 'base64');
      assert.ok(nodeVerify(null, Buffer.from(note.slice(0, split + 1)), pub, blob.subarray(4)));
    }
    assert.equal(JSON.parse(readFileSync(statePath, 'utf8')).size, 9, 'the verified state is kept, not replaced by the fork');
  });

  it('when a second checkpoint of the same size has another root, exits 1 with the evidence', async () => {
    const forked = [...honest.slice(0, 9)];
    forked[8] = 'entry 8, other';
    current = await build(forked, [9]);
    rmSync(join(dir, 'evidence.json'));
    const r = await monitor();
    assert.equal(r.status, 1, r.stderr);
    assert.equal(JSON.parse(readFileSync(join(dir, 'evidence.json'), 'utf8')).kind, 'fork');
  });

  it('when the log shrinks, exits 1 with rollback evidence; when the checkpoint is not signed by the key, bad_signature', async () => {
    current = await build(honest.slice(0, 7), [7]);
    rmSync(join(dir, 'evidence.json'));
    assert.equal((await monitor()).status, 1);
    assert.equal(JSON.parse(readFileSync(join(dir, 'evidence.json'), 'utf8')).kind, 'rollback');
    const other = await openSigner(`file:${dir}/other.pem?create=true&alg=ed25519`);
    const tree = memoryTree();
    for (const e of honest) tree.appendEntry(Buffer.from(e));
    current = { tree, notes: new Map([[12, await signNote(formatCheckpoint({ origin: ORIGIN, size: 12, root: tree.root() }), ORIGIN, other)]]), latest: 12 };
    await other.close();
    rmSync(join(dir, 'evidence.json'));
    assert.equal((await monitor()).status, 1);
    assert.equal(JSON.parse(readFileSync(join(dir, 'evidence.json'), 'utf8')).kind, 'bad_signature');
    assert.ok(existsSync(statePath));
  });
});
