// `signet keys rotate NAME` against a running server whose keys live in Vault Transit (a local
// emulator of its HTTP API): new signatures, credentials and checkpoints use the new version; old
// credentials, receipts and signatures still verify (jose and node:crypto, not Signet's code); the
// rotations are ledger entries; the JWKS lists both credential keys.
import assert from 'node:assert/strict';
import { createPublicKey, generateKeyPairSync, verify as nodeVerify } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { keysCommand } from '../../src/cli/keys.js';
import { SignetClient } from '../../src/client/client.js';
import type { SignetClientError } from '../../src/client/errors.js';
import type { Receipt__Output } from '../../src/gen/signet/v1/Receipt.js';
import { createVaultKey, startVaultEmulator, type VaultEmulator } from '../emulators/vault.js';
import { checkReceipt } from '../ledger/independent.js';
import { hexOf } from '../ledger/fixtures.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const ISSUER = 'https://signet.rotate';
const AUDIENCE = 'https://api.example';
const ORIGIN = 'signet.test/rotate';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) } };
}
const bundleOf = (r: Receipt__Output) => ({ entry: r.entry, index: Number(r.index), leafHash: r.leaf_hash, inclusionProof: r.inclusion_proof, checkpoint: r.checkpoint, treeSize: Number(r.tree_size) });
const receipt = (i: number) => ({ receipt: { agent: 'agent-1', action: 'repo.push', resource: `git://repo/${i}`, request_sha256: hexOf(`q${i}`), response_sha256: hexOf(`r${i}`), outcome: 'success' } });

describe('signet keys rotate, with overlap, against a running server', () => {
  let vault: VaultEmulator;
  let server: TestServer;
  let client: SignetClient;
  let config: string;
  let agentId: string;
  const saved = { VAULT_ADDR: process.env.VAULT_ADDR, VAULT_TOKEN: process.env.VAULT_TOKEN };

  before(async () => {
    vault = await startVaultEmulator();
    // The CLI, like an operator's shell, reaches Vault through VAULT_ADDR / VAULT_TOKEN.
    process.env.VAULT_ADDR = vault.address;
    process.env.VAULT_TOKEN = vault.token;
    const keys = Object.fromEntries(['default', 'ledger', 'issuer'].map((name) => [name, createVaultKey(vault, `rotate-${name}`, 'Ed25519', 'cache-ttl=1s').uri]));
    const policyDir = mkdtempSync(join(tmpdir(), 'signet-rotate-policy-'));
    const policy = join(policyDir, 'policy.yaml');
    writeFileSync(policy, 'rules:\n  - {name: rot, agents: [{group: rot}], actions: [repo:read], resources: ["github.com/acme/*"], max_ttl: 5m}\n');
    server = await startTestServer(
      // Direct mode: credentials are signed by the custody key itself, so its rotation shows in
      // their kid (in certified mode the issuing key's certificate changes instead).
      { keys, ledger: { origin: ORIGIN, batch: { max_delay_ms: 2 } }, credentials: { issuer: ISSUER, policy, signing: 'direct' } },
      { ...process.env },
    );
    config = join(server.dir, 'signet.yaml');
    writeFileSync(config, `keys:\n${Object.entries(keys).map(([n, u]) => `  ${n}: "${u}"`).join('\n')}\nledger:\n  origin: ${ORIGIN}\n`);
    client = new SignetClient({ address: server.address, retry: false });
    const jwk = generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' });
    agentId = (await client.credentials.registerAgent({ name: 'rotating', public_key_jwk: JSON.stringify(jwk), owner: 'ops', groups: ['rot'] })).id;
  });
  after(async () => {
    client?.close();
    await server?.stop();
    await vault?.stop();
    for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  });

  it('new signatures, credentials and checkpoints use the new versions; everything from before still verifies', async () => {
    const request = { agent_id: agentId, intent: { action: 'repo:read', resource: 'github.com/acme/app' }, audience: AUDIENCE, ttl_seconds: 60 };
    // The first issuance signed by a new version is refused (UNAVAILABLE, retry-after 0: the key
    // rotated between naming it in the header and signing); a caller honouring retry-after retries.
    const issue = () =>
      client.credentials.issue(request).catch((err: SignetClientError) => {
        if (err.code !== 'UNAVAILABLE' || err.retryAfter !== 0) throw err;
        return client.credentials.issue(request);
      });
    const message = Buffer.from('before and after');
    const pemOf = async (key: string, version: string) => (await client.signing.getPublicKey({ key, key_version: version })).public_key!.spki_pem;

    const oldSig = await client.signing.sign({ key: 'default', message });
    const oldCred = await issue();
    const oldReceipt = await client.ledger.appendReceipt(receipt(1));
    assert.equal(oldSig.key_version, '1');

    for (const name of ['default', 'ledger', 'issuer']) {
      const c = capture();
      assert.equal(await keysCommand(['rotate', name, '--config', config], c.io), 0, c.err.join('\n'));
      assert.match(c.out[0]!, new RegExp(`^rotated ${name}: version 2 now signs`));
    }
    await new Promise((r) => setTimeout(r, 1500)); // the keys' cache-ttl

    const newSig = await client.signing.sign({ key: 'default', message });
    const newCred = await issue();
    const newReceipt = await client.ledger.appendReceipt(receipt(2));
    assert.equal(newSig.key_version, '2');
    assert.notEqual(newSig.key_id, oldSig.key_id);
    assert.notEqual(decodeProtectedHeader(newCred.token).kid, decodeProtectedHeader(oldCred.token).kid);

    // Signatures: node:crypto, each with the public key of its version.
    assert.ok(nodeVerify(null, message, await pemOf('default', '1'), Buffer.from(oldSig.signature)));
    assert.ok(nodeVerify(null, message, await pemOf('default', '2'), Buffer.from(newSig.signature)));
    assert.ok(!nodeVerify(null, message, await pemOf('default', '2'), Buffer.from(oldSig.signature)));

    // Credentials: jose, against the JWKS Signet serves now, which lists both keys.
    const jwks = JSON.parse((await client.credentials.getJwks({})).jwks_json) as { keys: Array<{ kid: string }> };
    const kids = jwks.keys.map((k) => k.kid);
    assert.ok(kids.includes(decodeProtectedHeader(oldCred.token).kid!) && kids.includes(decodeProtectedHeader(newCred.token).kid!), `JWKS lists both: ${kids}`);
    const keySet = createLocalJWKSet(jwks as Parameters<typeof createLocalJWKSet>[0]);
    for (const token of [oldCred.token, newCred.token]) {
      const { payload } = await jwtVerify(token, keySet, { issuer: ISSUER, audience: AUDIENCE });
      assert.equal(payload.sub, agentId);
    }

    // Receipts: node:crypto over the checkpoint each came with, with the ledger key version that signed it.
    const ledgerV1 = await pemOf('ledger', '1');
    const ledgerV2 = await pemOf('ledger', '2');
    checkReceipt(bundleOf(oldReceipt), ledgerV1, ORIGIN);
    checkReceipt(bundleOf(newReceipt), ledgerV2, ORIGIN);
    assert.throws(() => checkReceipt(bundleOf(oldReceipt), ledgerV2, ORIGIN));

    // The rotations are ledger entries, and the whole chain verifies.
    const { entries } = await client.ledger.getEntries({ start: 0, page_size: 1000 });
    const events = entries.map((e) => JSON.parse(Buffer.from(e.entry).toString('utf8')) as Record<string, unknown>).filter((e) => e.type === 'key_event');
    assert.ok(events.some((e) => e.event === 'credentials_key_rotated' && e.kid === decodeProtectedHeader(newCred.token).kid && e.previous_kid === decodeProtectedHeader(oldCred.token).kid), JSON.stringify(events));
    const ledgerV2Kid = createPublicKey(ledgerV2);
    assert.ok(ledgerV2Kid, 'the new ledger key parses');
    assert.ok(events.length >= 2, `a ledger key event and a credentials key event: ${JSON.stringify(events)}`);
    const chain = await client.ledger.verifyChain({});
    assert.equal(chain.valid, true, chain.reason);
  });

  it('a key without versions (file:) is refused with what to do instead, exit 1', async () => {
    const c = capture();
    assert.equal(await keysCommand(['rotate', `file:${server.dir}/some.pem`], c.io), 1);
    assert.match(c.err[0]!, /file keys have no versions to rotate in place\. Instead: create a new key/);
  });
});
