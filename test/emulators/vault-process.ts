// Runs the Vault Transit emulator in a process of its own (for benchmarks, so its signing does not
// share the driver's event loop): prints {"address","token"} as one JSON line, stops on SIGTERM.
// Usage: node --import tsx test/emulators/vault-process.ts [latency-ms]
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startVaultEmulator } from './vault.js';

export interface VaultProcess {
  address: string;
  token: string;
  stop(): Promise<void>;
}

/** Starts the emulator in a child process with the given injected latency. */
export async function spawnVaultEmulator(latencyMs = 0): Promise<VaultProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), String(latencyMs)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`vault emulator process exited with ${code}`)));
  });
  const { address, token } = JSON.parse(line) as { address: string; token: string };
  return {
    address,
    token,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const vault = await startVaultEmulator();
  vault.faults.latency(Number(process.argv[2] ?? 0));
  process.stdout.write(`${JSON.stringify({ address: vault.address, token: vault.token })}\n`);
  process.once('SIGTERM', () => void vault.stop().then(() => process.exit(0)));
}
