// The Azure Key Vault emulator in a child process, for benchmarks: the vault's CPU is not the
// driver's, as with a remote service. Run directly, it serves one key and prints how to reach it.
import { spawn } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createAzureTestKey, startAzureKeyVaultEmulator } from '../../test/emulators/azure-keyvault.js';

export interface AzureEmulatorProcess {
  uri: string;
  env: Record<string, string>;
  stop(): Promise<void>;
}

/** Starts the child, which creates an EC-HSM key and injects `latencyMs` on every vault request. */
export function startAzureEmulatorProcess(latencyMs: number, params: Record<string, string> = {}): Promise<AzureEmulatorProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), String(latencyMs), JSON.stringify(params)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let seen = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      const line = /^AZURE_EMULATOR (.+)$/m.exec(seen)?.[1];
      if (!line) return;
      const { uri, env } = JSON.parse(line) as { uri: string; env: Record<string, string> };
      resolve({
        uri,
        env,
        stop: () =>
          new Promise((done) => {
            child.once('exit', () => done());
            child.kill('SIGTERM');
          }),
      });
    });
    child.once('exit', (code) => reject(new Error(`azure emulator exited with ${code}`)));
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const latencyMs = Number(process.argv[2] ?? 0);
  const params = JSON.parse(process.argv[3] ?? '{}') as Record<string, string>;
  const emulator = await startAzureKeyVaultEmulator();
  const { uri, env } = createAzureTestKey(emulator, 'bench-p256', { hsm: true, params });
  emulator.faults.latency(latencyMs);
  process.stdout.write(`AZURE_EMULATOR ${JSON.stringify({ uri, env })}\n`);
  process.once('SIGTERM', () => void emulator.stop().then(() => process.exit(0)));
}
