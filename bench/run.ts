// `npm run bench`: runs every benchmark, each in its own process (clean memory, its own SoftHSM
// token), one after another so they do not compete for the CPU. `npm run bench -- ledger signing`
// runs only those.
import { spawnSync } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const ALL = ['signing', 'ledger', 'scale-out', 'credentials', 'cloud-awskms', 'cloud-gcpkms', 'cloud-azurekms', 'cloud-hashivault'];
const chosen = process.argv.slice(2).length ? process.argv.slice(2) : ALL;

console.log(`# Signet benchmarks — ${new Date().toISOString()} — ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`);
let failed = 0;
for (const name of chosen) {
  if (!ALL.includes(name)) {
    console.error(`unknown benchmark "${name}"; known: ${ALL.join(', ')}`);
    process.exit(2);
  }
  console.log(`\n## ${name}`);
  const r = spawnSync(process.execPath, ['--expose-gc', join(here, `${name}.js`)], { stdio: 'inherit', env: { ...process.env, SIGNET_LOG_LEVEL: 'silent' } });
  if (r.status !== 0) {
    failed++;
    console.error(`benchmark ${name} failed with exit code ${r.status}`);
  }
}
process.exit(failed ? 1 : 0);
