// Runs the Cloud KMS emulator in a process of its own (for benchmarks, so its signing does not share
// the driver's event loop), with one Ed25519 and one P-256 key; prints one JSON line, stops on SIGTERM.
// Usage: node --import tsx test/emulators/gcp-kms-process.ts [latency-ms]
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createGcpKmsKey, GCP_TOKEN_ENV, startGcpKmsEmulator } from './gcp-kms.js';

export interface GcpKmsProcess {
  /** Key URI and env per algorithm, as createGcpKmsKey gives them. */
  keys: Record<'Ed25519' | 'ES256', { uri: string; env: Record<string, string> }>;
  stop(): Promise<void>;
}

/** Starts the emulator in a child process with the given injected latency per request. */
export async function spawnGcpKmsEmulator(latencyMs = 0): Promise<GcpKmsProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), String(latencyMs)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`gcp kms emulator process exited with ${code}`)));
  });
  const { keys } = JSON.parse(line) as Pick<GcpKmsProcess, 'keys'>;
  return {
    keys,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const emulator = await startGcpKmsEmulator();
  emulator.faults.latency(Number(process.argv[2] ?? 0));
  const keys = Object.fromEntries(
    (['Ed25519', 'ES256'] as const).map((alg) => {
      const { uri, env } = createGcpKmsKey(emulator, alg, `bench-${alg.toLowerCase()}`);
      return [alg, { uri, env }];
    }),
  );
  process.stdout.write(`${JSON.stringify({ keys, tokenEnv: GCP_TOKEN_ENV })}\n`);
  process.once('SIGTERM', () => void emulator.stop().then(() => process.exit(0)));
}
