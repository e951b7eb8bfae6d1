// Preloaded into a benchmarked server (node --import): names its threads for CPU accounting.
// Node 20 names every thread "node", so this reports which Linux thread is which to a file:
// the main thread, each worker thread (the SQLite writer), the libuv pool; and GC pause time.
import { appendFileSync, readlink, readlinkSync } from 'node:fs';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import { PerformanceObserver } from 'node:perf_hooks';
import { pbkdf2 } from 'node:crypto';

const file = process.env.SIGNET_BENCH_THREADS;
const require = createRequire(import.meta.url);

const tidOf = (link: string) => Number(link.split('/').pop());
const note = (line: string) => appendFileSync(file!, `${line}\n`);

if (file) {
  note(`main ${tidOf(readlinkSync('/proc/thread-self'))}`);

  // Every eval'd worker (the SQLite writer is one) first reports its own thread.
  const threads = require('node:worker_threads') as typeof import('node:worker_threads');
  const Original = threads.Worker;
  threads.Worker = class extends Original {
    constructor(source: string | URL, options?: import('node:worker_threads').WorkerOptions) {
      const report = `require('node:fs').appendFileSync(${JSON.stringify(file)}, 'worker ' + require('node:fs').readlinkSync('/proc/thread-self').split('/').pop() + '\\n');\n`;
      super(options?.eval && typeof source === 'string' ? report + source : source, options);
    }
  } as typeof Original;
  syncBuiltinESMExports();

  // The libuv pool: each readlink lands on a free pool thread, and the pbkdf2 after it keeps that
  // thread busy, so the next readlink lands on another one. Repeated until the count is stable.
  const seen = new Set<number>();
  const probePool = () => {
    for (let i = 0; i < 64; i++) {
      readlink('/proc/thread-self', (err, link) => {
        if (err) return;
        const tid = tidOf(link);
        if (!seen.has(tid)) {
          seen.add(tid);
          note(`uv ${tid}`);
        }
      });
      pbkdf2('x', 'y', 5_000, 32, 'sha256', () => {});
    }
  };
  setTimeout(probePool, 50).unref();
  setTimeout(probePool, 400).unref();

  // GC pauses on the main thread (the collectors' helper threads are counted as V8 threads).
  let gcMs = 0;
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) gcMs += e.duration;
  }).observe({ entryTypes: ['gc'] });
  setInterval(() => note(`gc ${gcMs.toFixed(3)}`), 250).unref();
}
