// A throwaway SoftHSM 2 token for tests, never the user's: a temp token directory with its own
// softhsm2.conf (SOFTHSM2_CONF), a token made by softhsm2-util, and keys generated through the driver.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { driverFor, canGenerate, parseKeyUri, type KeyAlgorithm } from '../../src/signers/index.js';

export const SOFTHSM_MODULE = '/usr/lib/softhsm/libsofthsm2.so';

export interface SoftHsmToken {
  /** Directory holding softhsm2.conf and the tokens; removed by cleanup(). */
  dir: string;
  conf: string;
  modulePath: string;
  label: string;
  serial: string;
  pin: string;
  soPin: string;
  /** Environment variable holding the PIN, for pin-source=env:… URIs. */
  pinEnv: string;
  /** A URI prefix-free query for keys on this token: module-path and pin-source. */
  query: string;
  cleanup(): void;
}

let shared: SoftHsmToken | undefined;

/**
 * The test process's SoftHSM token, created on first call. SoftHSM reads SOFTHSM2_CONF and scans
 * its token directory once, when the module is initialised, so a process gets one directory and
 * one token: later calls return the same token. Cleanup runs at exit if the caller never calls it.
 */
export function softhsmToken(): SoftHsmToken {
  if (shared) return shared;
  const dir = mkdtempSync(join(tmpdir(), 'signet-softhsm-'));
  const tokens = join(dir, 'tokens');
  execFileSync('mkdir', ['-p', tokens]);
  const conf = join(dir, 'softhsm2.conf');
  writeFileSync(conf, `directories.tokendir = ${tokens}\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n`);
  process.env.SOFTHSM2_CONF = conf;
  const label = 'signet-test';
  const pin = randomBytes(6).toString('hex');
  const soPin = randomBytes(6).toString('hex');
  const out = execFileSync('softhsm2-util', ['--init-token', '--free', '--label', label, '--so-pin', soPin, '--pin', pin], {
    env: { ...process.env, SOFTHSM2_CONF: conf },
    encoding: 'utf8',
  });
  const slot = /reassigned to slot (\d+)/.exec(out)?.[1];
  const serial = serialOf(conf, label);
  const pinEnv = 'SIGNET_TEST_SOFTHSM_PIN';
  process.env[pinEnv] = pin;
  let cleaned = false;
  const cleanup = () => {
    if (cleaned) return;
    cleaned = true;
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', cleanup);
  shared = {
    dir,
    conf,
    modulePath: SOFTHSM_MODULE,
    label,
    serial: serial ?? slot ?? '',
    pin,
    soPin,
    pinEnv,
    query: `module-path=${SOFTHSM_MODULE}&pin-source=env:${pinEnv}`,
    cleanup,
  };
  return shared;
}

/** The serial of a token, from softhsm2-util --show-slots. */
function serialOf(conf: string, label: string): string | undefined {
  const out = execFileSync('softhsm2-util', ['--show-slots'], { env: { ...process.env, SOFTHSM2_CONF: conf }, encoding: 'utf8' });
  for (const block of out.split(/\n(?=Slot )/)) {
    if (new RegExp(`Label:\\s+${label}\\s*$`, 'm').test(block)) return /Serial number:\s+(\S+)/.exec(block)?.[1];
  }
  return undefined;
}

let counter = 0;

/**
 * Generates a key in the test token through the pkcs11 driver and returns its URI
 * (pkcs11:token=…;object=…?module-path=…&pin-source=env:…), ready for openSigner.
 */
export async function softhsmKey(alg: KeyAlgorithm | 'ed25519' | 'p256', label?: string): Promise<string> {
  const token = softhsmToken();
  const algorithm: KeyAlgorithm = alg === 'ed25519' || alg === 'Ed25519' ? 'Ed25519' : 'ES256';
  const object = label ?? `${algorithm.toLowerCase()}-${process.pid}-${++counter}`;
  const uri = `pkcs11:token=${token.label};object=${encodeURIComponent(object)}?${token.query}`;
  const parsed = parseKeyUri(uri);
  const driver = driverFor(parsed);
  if (!canGenerate(driver)) throw new Error('the pkcs11 driver cannot generate keys');
  await driver.generate(parsed, algorithm);
  return uri;
}
