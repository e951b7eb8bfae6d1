// Keeps imports pointing one way: cli/client → server → credentials → ledger → signers → lib,
// and keeps drivers private: only src/signers/index.ts imports a driver folder.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const RANK = { lib: 0, gen: 0, signers: 1, ledger: 2, credentials: 3, server: 4, client: 5, cli: 6 };
const DRIVERS = ['file', 'pkcs11', 'awskms', 'gcpkms', 'azurekms', 'hashivault'];
const problems = [];

function walk(dir, out = []) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path, out);
    else if (name.endsWith('.ts')) out.push(path);
  }
  return out;
}

const layerOf = (file) => relative('src', file).split('/')[0];

for (const file of walk('src')) {
  const from = layerOf(file);
  if (from === 'gen') continue;
  const text = readFileSync(file, 'utf8');
  for (const m of text.matchAll(/^\s*(?:import|export)[^'"]*?from\s+['"](\.[^'"]+)['"]/gm)) {
    const target = resolve(dirname(file), m[1]);
    const rel = relative(resolve('src'), target);
    const to = rel.split('/')[0];
    if (!(to in RANK) || !(from in RANK)) continue;
    if (RANK[to] > RANK[from]) problems.push(`${file}: ${from} must not import ${to} (${m[1]})`);
    const parts = rel.split('/');
    if (parts[0] === 'signers' && DRIVERS.includes(parts[1]) && parts.length > 2) {
      const inSameDriver = relative('src', file).startsWith(`signers/${parts[1]}/`);
      if (!inSameDriver && relative('src', file) !== 'signers/index.ts') {
        problems.push(`${file}: only src/signers/index.ts may import a driver (${m[1]})`);
      }
    }
  }
}

if (problems.length) {
  console.error(problems.join('\n'));
  process.exit(1);
}
console.log('imports point one way');
