// Drivers register here under their URI scheme; callers open keys by URI and never name a driver.
import { SignetError } from '../lib/errors.js';
import type { Signer } from './contract.js';
import { parseKeyUri, type KeyScheme, type KeyUri } from './uri.js';

export interface OpenContext {
  /** Environment to read secrets and defaults from (process.env unless a test says otherwise). */
  env?: NodeJS.ProcessEnv;
}

export interface Driver {
  readonly scheme: KeyScheme;
  /** Opens the key, loading its public key, so a bad key fails here and not on first use. */
  open(uri: KeyUri, context: OpenContext): Promise<Signer>;
}

const drivers = new Map<KeyScheme, Driver>();

export function registerDriver(driver: Driver): void {
  drivers.set(driver.scheme, driver);
}

export function driverFor(uri: KeyUri | string): Driver {
  const parsed = typeof uri === 'string' ? parseKeyUri(uri) : uri;
  const driver = drivers.get(parsed.scheme);
  if (!driver) throw new SignetError('CONFIG', `no driver is registered for ${parsed.scheme}: keys`);
  return driver;
}

export function registeredSchemes(): KeyScheme[] {
  return [...drivers.keys()];
}

export async function openSigner(uri: string | KeyUri, context: OpenContext = {}): Promise<Signer> {
  const parsed = typeof uri === 'string' ? parseKeyUri(uri) : uri;
  return driverFor(parsed).open(parsed, context);
}
