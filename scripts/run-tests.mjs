// Runs every test/**/*.test.ts with node's test runner (TypeScript through tsx).
// Usage: node scripts/run-tests.mjs [path-filter …]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const filters = process.argv.slice(2);
const files = [];
(function walk(dir) {
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path);
    else if (name.endsWith('.test.ts') && (filters.length === 0 || filters.some((f) => path.includes(f)))) files.push(path);
  }
})('test');

if (files.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}
// Human-readable output on stdout; a TAP copy is read back for the closing count line.
const tapDir = mkdtempSync(join(tmpdir(), 'signet-tests-'));
const tap = join(tapDir, 'results.tap');
const result = spawnSync(
  process.execPath,
  [
    '--import', 'tsx', '--test',
    '--test-reporter=spec', '--test-reporter-destination=stdout',
    '--test-reporter=tap', `--test-reporter-destination=${tap}`,
    `--test-concurrency=${process.env.TEST_CONCURRENCY ?? 2}`,
    // A hung test fails after this long instead of holding the run (and CI) open.
    `--test-timeout=${process.env.TEST_TIMEOUT_MS ?? 300_000}`,
    ...files,
  ],
  { stdio: 'inherit', env: { ...process.env, SIGNET_LOG_LEVEL: process.env.SIGNET_LOG_LEVEL ?? 'silent' } },
);
let summary = '';
try {
  const text = readFileSync(tap, 'utf8');
  const count = (name) => Number(new RegExp(`^# ${name} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
  summary = `tests: ${count('pass')} passed, ${count('fail') + count('cancelled')} failed, ${count('skipped') + count('todo')} skipped`;
} catch {
  summary = 'tests: results unreadable';
}
rmSync(tapDir, { recursive: true, force: true });
console.log(`\n${files.length} test files\n${summary}`);
process.exit(result.status ?? 1);
