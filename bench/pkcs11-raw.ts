// The baseline for Signet's signing figures: raw asynchronous C_Sign per second straight through
// pkcs11js, one session per concurrent worker, no pool, no custody checks. Runnable standalone.
import { pathToFileURL } from 'node:url';
import pkcs11js from 'pkcs11js';

export interface RawSignOptions {
  modulePath: string;
  tokenLabel: string;
  pin: string;
  keyLabel: string;
  alg: 'Ed25519' | 'ES256';
  /** Sessions, each with one C_Sign in flight at a time. */
  concurrency: number;
  durationMs: number;
}

const CKM_EDDSA = 0x1057;

/** Signatures per second over `durationMs`, after one warm-up signature per session. */
export async function rawSignRate(opts: RawSignOptions): Promise<number> {
  const lib = new pkcs11js.PKCS11();
  lib.load(opts.modulePath);
  let initialised = false;
  try {
    lib.C_Initialize({ flags: pkcs11js.CKF_OS_LOCKING_OK });
    initialised = true;
  } catch (err) {
    // Signet's driver may already have initialised the module in this process: share it.
    if ((err as Error).message !== 'CKR_CRYPTOKI_ALREADY_INITIALIZED') throw err;
  }
  const sessions: Buffer[] = [];
  try {
    const slot = lib.C_GetSlotList(true).find((s) => lib.C_GetTokenInfo(s).label.trimEnd() === opts.tokenLabel);
    if (!slot) throw new Error(`no token "${opts.tokenLabel}" in ${opts.modulePath}`);
    for (let i = 0; i < opts.concurrency; i++) sessions.push(lib.C_OpenSession(slot, pkcs11js.CKF_SERIAL_SESSION));
    try {
      lib.C_Login(sessions[0]!, pkcs11js.CKU_USER, opts.pin);
    } catch (err) {
      if ((err as Error).message !== 'CKR_USER_ALREADY_LOGGED_IN') throw err;
    }
    lib.C_FindObjectsInit(sessions[0]!, [
      { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_PRIVATE_KEY },
      { type: pkcs11js.CKA_LABEL, value: opts.keyLabel },
    ]);
    const key = lib.C_FindObjects(sessions[0]!);
    lib.C_FindObjectsFinal(sessions[0]!);
    if (!key) throw new Error(`no private key "${opts.keyLabel}" on token "${opts.tokenLabel}"`);
    const mechanism = { mechanism: opts.alg === 'Ed25519' ? CKM_EDDSA : pkcs11js.CKM_ECDSA };
    // What Signet hands the token: a short message for Ed25519, a 32-byte digest for ES256.
    const payload = Buffer.alloc(opts.alg === 'Ed25519' ? 64 : 32, 7);
    const signOnce = (s: Buffer) => {
      lib.C_SignInit(s, mechanism, key);
      return lib.C_SignAsync(s, payload, Buffer.alloc(72));
    };
    await Promise.all(sessions.map(signOnce));
    let count = 0;
    const start = performance.now();
    const end = start + opts.durationMs;
    await Promise.all(
      sessions.map(async (s) => {
        while (performance.now() < end) {
          await signOnce(s);
          count++;
        }
      }),
    );
    return count / ((performance.now() - start) / 1000);
  } finally {
    for (const s of sessions) {
      try {
        lib.C_CloseSession(s);
      } catch {
        // Closing is best effort at the end of a measurement.
      }
    }
    if (initialised) lib.C_Finalize();
  }
}

async function standalone(): Promise<void> {
  const { softhsmKey, softhsmToken } = await import('../test/helpers/softhsm.js');
  const durationMs = Number(process.argv[2] ?? 3000);
  const concurrencies = (process.argv[3] ?? '1,4,8').split(',').map(Number);
  const token = softhsmToken();
  await softhsmKey('ed25519', 'raw-ed25519');
  await softhsmKey('p256', 'raw-p256');
  console.log(`# raw async C_Sign on SoftHSM (${durationMs} ms per figure, libuv pool ${process.env.UV_THREADPOOL_SIZE ?? 4} threads)`);
  for (const alg of ['Ed25519', 'ES256'] as const) {
    for (const concurrency of concurrencies) {
      const rate = await rawSignRate({
        modulePath: token.modulePath,
        tokenLabel: token.label,
        pin: token.pin,
        keyLabel: alg === 'Ed25519' ? 'raw-ed25519' : 'raw-p256',
        alg,
        concurrency,
        durationMs,
      });
      console.log(`${alg.padEnd(8)} sessions ${String(concurrency).padStart(3)}  ${rate.toFixed(0).padStart(8)} sig/s`);
    }
  }
  token.cleanup();
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  standalone().catch((err) => {
    console.error(err);
    process.exitCode = 1;
  });
}
