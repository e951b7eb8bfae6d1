// One SessionPool per token, shared by every key on it: login is per token, and a YubiHSM's
// 16 sessions are per device, so keys on one token must not each open their own pool.
import { timingSafeEqual, createHash } from 'node:crypto';
import { SignetError } from '../../lib/errors.js';
import type { Pkcs11Config } from './config.js';
import { Pkcs11Module } from './module.js';
import { SessionPool } from './session-pool.js';
import { findToken } from './token.js';

export interface PoolLease {
  module: Pkcs11Module;
  pool: SessionPool;
  release(): Promise<void>;
}

interface Shared {
  pool: SessionPool;
  pinHash: Buffer;
  refs: number;
}

const pools = new Map<string, Shared>();

export function leasePool(config: Pkcs11Config): PoolLease {
  const module = Pkcs11Module.acquire(config.modulePath);
  try {
    const token = findToken(module.lib, config.token, module.path);
    const key = `${module.path}\0${token.serial}\0${token.label}`;
    const pinHash = createHash('sha256').update(config.pin ?? '').digest();
    let shared = pools.get(key);
    if (shared && !timingSafeEqual(shared.pinHash, pinHash)) {
      throw new SignetError('CONFIG', `wrong PIN for token "${token.label}": it differs from the PIN this process already logged in with; check the key URI's pin-source`);
    }
    if (!shared) {
      shared = { pool: new SessionPool(module, { ...config, selector: { serial: token.serial, label: token.label } }), pinHash, refs: 0 };
      pools.set(key, shared);
    }
    shared.refs++;
    const s = shared;
    let released = false;
    return {
      module,
      pool: s.pool,
      async release() {
        if (released) return;
        released = true;
        if (--s.refs === 0) {
          pools.delete(key);
          await s.pool.close();
        }
        module.release();
      },
    };
  } catch (err) {
    module.release();
    throw err;
  }
}
