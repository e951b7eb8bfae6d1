// Starts a real Signet server in this process on an ephemeral localhost port, for end-to-end tests.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { SignetClientError } from '../../src/client/errors.js';
import { silentLogger } from '../../src/lib/logger.js';
import { resolveConfig, type SignetConfig } from '../../src/server/config.js';
import { startSignet, type RunningSignet } from '../../src/server/start.js';

export interface TestServer {
  running: RunningSignet;
  address: string;
  config: SignetConfig;
  dir: string;
  stop(): Promise<void>;
}

/**
 * `raw` is a config object as it would be written in YAML (snake_case); data_dir is a fresh temp dir,
 * and `{dir}` in key URIs stands for it, so test keys never land in the working tree. When keys are
 * given without the reserved `ledger` / `issuer` keys, software ones are added for those purposes.
 */
export async function startTestServer(raw: Record<string, unknown> = {}, env: NodeJS.ProcessEnv = process.env): Promise<TestServer> {
  const dir = mkdtempSync(join(tmpdir(), 'signet-server-'));
  const given = raw.keys as Record<string, string> | undefined;
  const keys = given && { ledger: 'file:{dir}/ledger.pem?create=true', issuer: 'file:{dir}/issuer.pem?create=true', ...given };
  const withDir = keys ? { ...raw, keys: Object.fromEntries(Object.entries(keys).map(([k, v]) => [k, v.replaceAll('{dir}', dir)])) } : raw;
  // Plaintext on loopback must be said; a test that gives tls gets TLS.
  const config = resolveConfig({ listen: '127.0.0.1:0', data_dir: dir, ...(withDir.tls ? {} : { plaintext: true }), ...withDir }, { ...env, SIGNET_LISTEN: undefined, SIGNET_DATA_DIR: undefined });
  const running = await startSignet(config, silentLogger, env);
  return {
    running,
    address: `127.0.0.1:${running.port}`,
    config,
    dir,
    async stop() {
      await running.shutdown();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Reads the `signet-field` trailer of a failed call (a raw grpc-js error or the typed client's). */
export function fieldOf(err: unknown): string | undefined {
  if (err instanceof SignetClientError) return err.field;
  const md = (err as grpc.ServiceError).metadata;
  return md?.get('signet-field')[0]?.toString();
}

export function codeOf(err: unknown): grpc.status | undefined {
  if (err instanceof SignetClientError) return err.status;
  return (err as grpc.ServiceError).code;
}
