// Optional signing threads for one module (`sign-threads=N`): C_SignInit and C_Sign run together
// in worker threads, because pkcs11js offers C_SignInit only synchronously (≈ 80 µs on SoftHSM) and
// on the main thread it competes with gRPC. Workers share the process's sessions and key handles.
import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';

// CommonJS, evaluated in each worker: its own pkcs11js instance over the module this process has
// already initialised (CKR_CRYPTOKI_ALREADY_INITIALIZED is expected). Workers never finalise.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const pkcs11js = require(workerData.pkcs11js);
const lib = new pkcs11js.PKCS11();
lib.load(workerData.modulePath);
try { lib.C_Initialize({ flags: pkcs11js.CKF_OS_LOCKING_OK }); } catch (e) { if (e.message !== 'CKR_CRYPTOKI_ALREADY_INITIALIZED') throw e; }
parentPort.on('message', (m) => {
  try {
    const session = Buffer.from(m.session);
    lib.C_SignInit(session, { mechanism: m.mechanism }, Buffer.from(m.key));
    const signature = lib.C_Sign(session, Buffer.from(m.payload), Buffer.alloc(72));
    parentPort.postMessage({ id: m.id, signature });
  } catch (e) {
    parentPort.postMessage({ id: m.id, error: String(e && e.message || e) });
  }
});`;

interface Pending {
  resolve(signature: Uint8Array): void;
  reject(err: Error): void;
}

export class SignThreads {
  readonly #workers: Worker[];
  readonly #pending = new Map<number, Pending>();
  #next = 0;
  #id = 0;

  constructor(modulePath: string, count: number) {
    const pkcs11js = createRequire(import.meta.url).resolve('pkcs11js');
    this.#workers = Array.from({ length: count }, () => {
      const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { pkcs11js, modulePath } });
      worker.on('message', (m: { id: number; signature?: Uint8Array; error?: string }) => {
        const p = this.#pending.get(m.id);
        if (!p) return;
        this.#pending.delete(m.id);
        // The same Error shape as pkcs11js (message = CKR_ name), so recovery reads it alike.
        if (this.#pending.size === 0) this.#idle();
        if (m.error !== undefined) p.reject(new Error(m.error));
        else p.resolve(m.signature!);
      });
      worker.on('error', (err) => this.#failAll(err));
      worker.unref();
      return worker;
    });
  }

  /** C_SignInit + C_Sign on `session` with `key`, in the next worker. */
  sign(session: Buffer, key: Buffer, mechanism: number, payload: Uint8Array): Promise<Uint8Array> {
    return new Promise((resolve, reject) => {
      const id = this.#id++;
      // Idle workers do not keep the process alive; a worker with work in hand does.
      if (this.#pending.size === 0) for (const w of this.#workers) w.ref();
      this.#pending.set(id, { resolve, reject });
      const worker = this.#workers[this.#next++ % this.#workers.length]!;
      worker.postMessage({ id, session, key, mechanism, payload });
    });
  }

  async close(): Promise<void> {
    this.#failAll(new Error('CKR_CRYPTOKI_NOT_INITIALIZED'));
    await Promise.all(this.#workers.map((w) => w.terminate()));
  }

  #failAll(err: Error): void {
    for (const p of this.#pending.values()) p.reject(err);
    this.#pending.clear();
    this.#idle();
  }

  #idle(): void {
    for (const w of this.#workers) w.unref();
  }
}
