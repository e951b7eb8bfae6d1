// What a pkcs11: key URI asks for, checked: module path, token, key, PIN source and pool profile.
// Every failure is a CONFIG error with one line saying what to fix; the PIN never appears in one.
import { existsSync } from 'node:fs';
import { SignetError } from '../../lib/errors.js';
import { readSecret } from '../secrets.js';
import type { Pkcs11KeyUri } from '../uri.js';
import type { KeySelector } from './objects.js';
import { DEFAULT_MAX_WAITERS, PROFILES, type PoolProfile } from './session-pool.js';
import type { TokenSelector } from './token.js';

export const SOFTHSM_MODULE = '/usr/lib/softhsm/libsofthsm2.so';

export interface Pkcs11Config {
  modulePath: string;
  token: TokenSelector;
  key: KeySelector;
  pin: string | undefined;
  profile: PoolProfile;
  maxSessions: number;
  maxWaiters: number;
  /** Worker threads running C_SignInit + C_Sign off the main thread (0: the main thread inits, libuv signs). */
  signThreads: number;
}

const MAX_WAITERS_LIMIT = 1_000_000;

export function pkcs11Config(uri: Pkcs11KeyUri, env: NodeJS.ProcessEnv, needKey = true): Pkcs11Config {
  const where = uri.redacted;
  const modulePath = uri.params.get('module-path') ?? (existsSync(SOFTHSM_MODULE) ? SOFTHSM_MODULE : undefined);
  if (!modulePath) {
    throw new SignetError('CONFIG', `${where}: no module-path and no SoftHSM at ${SOFTHSM_MODULE}; add module-path=/path/to/pkcs11.so`);
  }
  const token: TokenSelector = {};
  if (uri.attrs.has('token')) token.label = uri.attrs.get('token');
  if (uri.attrs.has('serial')) token.serial = uri.attrs.get('serial');
  if (uri.attrs.has('slot-id')) token.slotId = uri.attrs.get('slot-id');
  if (token.slotId !== undefined && !/^\d+$/.test(token.slotId)) {
    throw new SignetError('CONFIG', `${where}: slot-id must be a decimal number`);
  }
  const key: KeySelector = {};
  if (uri.attrs.has('object')) key.label = uri.attrs.get('object');
  if (uri.id !== undefined) key.id = uri.id;
  if (needKey && key.label === undefined && key.id === undefined) {
    throw new SignetError('CONFIG', `${where}: name the key with object=LABEL and/or id=%XX…`);
  }
  const profileName = uri.params.get('profile') ?? 'default';
  const profile = PROFILES[profileName];
  if (!profile) throw new SignetError('CONFIG', `${where}: profile must be one of ${Object.keys(PROFILES).join(', ')}, not "${profileName}"`);
  const maxSessions = maxSessionsOf(uri, profile);
  return { modulePath, token, key, pin: pinOf(uri, env), profile, maxSessions, maxWaiters: maxWaitersOf(uri), signThreads: signThreadsOf(uri) };
}

function maxWaitersOf(uri: Pkcs11KeyUri): number {
  const raw = uri.params.get('max-waiters');
  if (raw === undefined) return DEFAULT_MAX_WAITERS;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > MAX_WAITERS_LIMIT) {
    throw new SignetError('CONFIG', `${uri.redacted}: max-waiters must be an integer from 1 to ${MAX_WAITERS_LIMIT}`);
  }
  return n;
}

function maxSessionsOf(uri: Pkcs11KeyUri, profile: PoolProfile): number {
  const raw = uri.params.get('max-sessions');
  if (raw === undefined) return profile.maxSessions;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > profile.maxSessions) {
    throw new SignetError('CONFIG', `${uri.redacted}: max-sessions must be an integer from 1 to ${profile.maxSessions} for profile ${profile.name}`);
  }
  return n;
}

function pinOf(uri: Pkcs11KeyUri, env: NodeJS.ProcessEnv): string | undefined {
  const source = uri.params.get('pin-source');
  if (source !== undefined) {
    return readSecret(source, `${uri.redacted} PIN`, env);
  }
  return uri.params.get('pin-value');
}

function signThreadsOf(uri: Pkcs11KeyUri): number {
  const raw = uri.params.get('sign-threads');
  if (raw === undefined) return 0;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 16) throw new SignetError('CONFIG', `${uri.redacted}: sign-threads must be an integer from 0 to 16`);
  return n;
}
