// Signet's gRPC Sign end to end with each cloud driver behind it: one server holding keys in the
// AWS KMS, Cloud KMS, Key Vault and Vault Transit emulators (driven by the official SDKs), a real
// gRPC client, every signature verified by node:crypto; a backend that is down is UNAVAILABLE.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { signingClient, unary } from '../../src/client/grpc.js';
import type { SigningServiceClient } from '../../src/gen/signet/v1/SigningService.js';
import { codeOf, startTestServer, type TestServer } from '../helpers/server.js';
import { verifyIndependently } from '../signers/conformance.js';
import { createAwsKmsTestKey, startAwsKmsEmulator, type AwsKmsEmulator } from '../emulators/aws-kms.js';
import { createGcpKmsKey, startGcpKmsEmulator, type GcpKmsEmulator } from '../emulators/gcp-kms.js';
import { createAzureTestKey, startAzureKeyVaultEmulator, type AzureKeyVaultEmulator } from '../emulators/azure-keyvault.js';
import { createVaultKey, startVaultEmulator, type VaultEmulator } from '../emulators/vault.js';

describe('SigningService over gRPC with cloud drivers behind it', () => {
  let aws: AwsKmsEmulator;
  let gcp: GcpKmsEmulator;
  let azure: AzureKeyVaultEmulator;
  let vault: VaultEmulator;
  let server: TestServer;
  let client: SigningServiceClient;
  const saved = { ...process.env };

  before(async () => {
    [aws, gcp, azure, vault] = await Promise.all([startAwsKmsEmulator(), startGcpKmsEmulator(), startAzureKeyVaultEmulator(), startVaultEmulator()]);
    const keys: Record<string, { uri: string; env: Record<string, string> }> = {
      'aws-ed25519': await createAwsKmsTestKey(aws, 'Ed25519'),
      'aws-p256': await createAwsKmsTestKey(aws, 'ES256'),
      'gcp-ed25519': createGcpKmsKey(gcp, 'Ed25519'),
      'gcp-p256': createGcpKmsKey(gcp, 'ES256'),
      'azure-p256': createAzureTestKey(azure),
      'vault-ed25519': createVaultKey(vault, 'e2e-ed', 'Ed25519'),
      'vault-p256': createVaultKey(vault, 'e2e-p256', 'ES256'),
    };
    // The SDKs' standard credential sources read the process environment, as in production.
    for (const k of Object.values(keys)) Object.assign(process.env, k.env);
    server = await startTestServer({
      keys: Object.fromEntries(Object.entries(keys).map(([name, k]) => [name, k.uri])),
      ledger: { enabled: false },
      credentials: { enabled: false },
    });
    client = signingClient(server.address);
  });

  after(async () => {
    client?.close();
    await server?.stop();
    await Promise.all([aws?.stop(), gcp?.stop(), azure?.stop(), vault?.stop()]);
    process.env = saved;
  });

  for (const [name, algorithm, driver] of [
    ['aws-ed25519', 'Ed25519', 'awskms'],
    ['aws-p256', 'ES256', 'awskms'],
    ['gcp-ed25519', 'Ed25519', 'gcpkms'],
    ['gcp-p256', 'ES256', 'gcpkms'],
    ['azure-p256', 'ES256', 'azurekms'],
    ['vault-ed25519', 'Ed25519', 'hashivault'],
    ['vault-p256', 'ES256', 'hashivault'],
  ] as const) {
    it(`${name}: Sign and SignBatch verify with node:crypto, and the key reports driver ${driver}`, async () => {
      const pub = (await unary(client, client.GetPublicKey, { key: name })).public_key!;
      assert.equal(pub.driver, driver);
      assert.equal(pub.hardware_backed, true);
      const message = Buffer.from(`end to end through ${driver}`);
      const one = await unary(client, client.Sign, { key: name, message });
      assert.equal(one.key_id, pub.key_id);
      assert.ok(one.key_version.length > 0);
      assert.ok(verifyIndependently(pub.spki_pem, algorithm, message, one.signature), 'Sign verifies');
      const messages = Array.from({ length: 5 }, (_, i) => Buffer.from(`${name} batch ${i}`));
      const batch = await unary(client, client.SignBatch, { key: name, messages });
      batch.signatures.forEach((s, i) => assert.ok(verifyIndependently(pub.spki_pem, algorithm, messages[i]!, s.signature), `batch item ${i}`));
    });
  }

  it('when a backend stays down past the caller\'s deadline, the caller gets UNAVAILABLE in time, and other keys keep working', async () => {
    vault.faults.down(true, 503);
    try {
      const start = Date.now();
      await assert.rejects(unary(client, client.Sign, { key: 'vault-ed25519', message: Buffer.from('x') }, { timeoutMs: 1500 }), (e) => {
        assert.equal(codeOf(e), grpc.status.UNAVAILABLE, (e as Error).message);
        return true;
      });
      // UNAVAILABLE (not the client's own DEADLINE_EXCEEDED) shows the server answered by the deadline.
      assert.ok(Date.now() - start < 1500 + 300, `answered in ${Date.now() - start} ms`);
      const other = await unary(client, client.Sign, { key: 'aws-ed25519', message: Buffer.from('y') });
      assert.equal(other.signature.length, 64);
    } finally {
      vault.faults.clear();
    }
  });
});
