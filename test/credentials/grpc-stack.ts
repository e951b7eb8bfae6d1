// The credentials service as it runs in production, in this process: an issuing key held in
// SoftHSM, the real ledger (SQLite), the gRPC server with its interceptors, and a real client.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCredentials, type CredentialAuthority } from '../../src/credentials/index.js';
import { Ledger } from '../../src/ledger/ledger.js';
import { silentLogger } from '../../src/lib/logger.js';
import { credentialService } from '../../src/server/credential-service.js';
import { startGrpcServer, type RunningGrpcServer } from '../../src/server/grpc-server.js';
import { serviceClient } from '../../src/client/grpc.js';
import type { CredentialServiceClient } from '../../src/gen/signet/v1/CredentialService.js';
import { openSigner, type Signer } from '../../src/signers/index.js';
import { softhsmKey } from '../helpers/softhsm.js';

export interface GrpcStack {
  address: string;
  client: CredentialServiceClient;
  signer: Signer;
  ledger: Ledger;
  credentials: CredentialAuthority;
  server: RunningGrpcServer;
  stop(): Promise<void>;
}

export async function startCredentialStack(options: { policyText: string; popMode?: 'strict' | 'permissive'; keyLabel?: string; maxSessions?: number }): Promise<GrpcStack> {
  const dir = mkdtempSync(join(tmpdir(), 'signet-cred-e2e-'));
  const uri = await softhsmKey('ed25519', options.keyLabel);
  const signer = await openSigner(options.maxSessions ? `${uri}&max-sessions=${options.maxSessions}` : uri);
  const ledger = await Ledger.open({ path: join(dir, 'ledger.db'), signer, origin: 'signet.test/ledger' });
  const credentials = await createCredentials({
    signer,
    ledger,
    issuer: 'https://signet.test',
    db: join(dir, 'credentials.db'),
    policyText: options.policyText,
    popMode: options.popMode ?? 'strict',
  });
  const server = await startGrpcServer('127.0.0.1:0', {
    modules: [credentialService({ credentials })],
    logger: silentLogger,
    limits: { maxMessageBytes: 4 * 1024 * 1024, maxBatch: 1000, maxInFlight: 4096 },
  });
  const address = `127.0.0.1:${server.port}`;
  const client = serviceClient<CredentialServiceClient>('signet.v1.CredentialService', address);
  return {
    address,
    client,
    signer,
    ledger,
    credentials,
    server,
    async stop() {
      client.close();
      await server.shutdown(5000);
      await ledger.close();
      await signer.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
