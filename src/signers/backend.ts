// What a driver implements: the raw signing primitive of one key. The custody contract's checks
// (digest contract, sizes, encodings, key ids) are applied once, in custody.ts, for every driver.
import type { KeyAlgorithm, SignOptions } from './contract.js';

export interface RawSignature {
  /** Ed25519: 64 bytes. ES256: P1363 r||s, 64 bytes (use derToP1363 on DER answers). */
  signature: Uint8Array;
  /** The backend's version of the key that signed. */
  version: string;
}

export interface KeyBackend {
  readonly driver: string;
  /** The key URI with secrets removed. */
  readonly uri: string;
  readonly algorithm: KeyAlgorithm;
  readonly hardwareBacked: boolean;
  /** The current (primary) version and its DER SPKI, from the driver's cache. */
  current(): { version: string; spki: Uint8Array };
  /** DER SPKI of a given version (drivers without versions know only their one). */
  spkiOf(version: string): Promise<Uint8Array>;
  /**
   * Ed25519: `payload` is the whole message (≤ 4096 bytes). ES256: `payload` is the 32-byte
   * SHA-256 digest, already computed by Signet.
   */
  sign(payload: Uint8Array, options: SignOptions): Promise<RawSignature>;
  /** A native batch call, where the backend has one (Vault's batch_input). */
  signBatch?(payloads: Uint8Array[], options: SignOptions): Promise<RawSignature[]>;
  close(): Promise<void>;
}
