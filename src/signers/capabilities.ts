// Optional driver capabilities beside the required contract: discovered at run time, never assumed.
import type { KeyAlgorithm, PublicKeyInfo } from './contract.js';
import type { KeyUri } from './uri.js';

export interface KeyGenerator {
  /** Creates a key at the place the URI names and returns its public key. */
  generate(uri: KeyUri, algorithm: KeyAlgorithm): Promise<PublicKeyInfo>;
}

export interface KeyListing {
  uri: string;
  label: string;
  algorithm: KeyAlgorithm | 'unsupported';
  keyId?: string;
}

export interface KeyLister {
  /** Keys reachable at the place the URI names (a token, a vault, a key ring). */
  list(uri: KeyUri): Promise<KeyListing[]>;
}

export interface KeyRotator {
  /** Makes a new primary version; older versions keep verifying. */
  rotate(uri: KeyUri): Promise<PublicKeyInfo>;
}

export interface VersionLister {
  versions(uri: KeyUri): Promise<PublicKeyInfo[]>;
}

export function canGenerate(d: object): d is KeyGenerator {
  return typeof (d as Partial<KeyGenerator>).generate === 'function';
}
export function canList(d: object): d is KeyLister {
  return typeof (d as Partial<KeyLister>).list === 'function';
}
export function canRotate(d: object): d is KeyRotator {
  return typeof (d as Partial<KeyRotator>).rotate === 'function';
}
export function canListVersions(d: object): d is VersionLister {
  return typeof (d as Partial<VersionLister>).versions === 'function';
}
