// The custody contract: the one interface every key backend is used through.
// Everything outside src/signers/<driver>/ imports these types and nothing else of a driver.

/** The algorithms of the contract. Ed25519 is PureEdDSA; ES256 is ECDSA P-256 over SHA-256. */
export type KeyAlgorithm = 'Ed25519' | 'ES256';

/** Ed25519 messages are capped on every driver at AWS KMS's RAW limit, so every driver agrees. */
export const MAX_ED25519_MESSAGE_BYTES = 4096;

/** What the caller hands to sign: a message, or (ES256 only) the SHA-256 digest of one. */
export type SignInput = { message: Uint8Array; digest?: undefined } | { digest: Uint8Array; message?: undefined };

export interface SignOptions {
  /** Absolute deadline (ms since epoch). Retries and waits stop there. */
  deadline?: number;
  signal?: AbortSignal;
}

export interface SignResult {
  /** Ed25519: 64 bytes (RFC 8032). ES256: 64 bytes IEEE P1363 r||s, whatever the backend returned. */
  signature: Uint8Array;
  algorithm: KeyAlgorithm;
  /** RFC 7638 JWK thumbprint of the public key that made this signature. */
  keyId: string;
  /** The backend's version of the key that signed ("1" where the backend has no versions). */
  keyVersion: string;
}

export interface PublicJwk {
  kty: 'OKP' | 'EC';
  crv: 'Ed25519' | 'P-256';
  x: string;
  y?: string;
}

export interface PublicKeyInfo {
  algorithm: KeyAlgorithm;
  keyId: string;
  keyVersion: string;
  /** DER SubjectPublicKeyInfo. */
  spki: Uint8Array;
  pem: string;
  jwk: PublicJwk;
}

/** A key in custody. Opened from a key URI by the registry; closed when no longer needed. */
export interface Signer {
  /** Name of the driver (the URI scheme): file, pkcs11, awskms, gcpkms, azurekms, hashivault. */
  readonly driver: string;
  /** The key URI with secrets removed: safe to log. */
  readonly uri: string;
  readonly algorithm: KeyAlgorithm;
  /** False only for software keys: the key material sits in this process's memory. */
  readonly hardwareBacked: boolean;
  /** Thumbprint of the current (primary) version. */
  keyId(): string;
  /** Public key of the current version, or of a given version where the backend has versions. */
  publicKey(version?: string): Promise<PublicKeyInfo>;
  sign(input: SignInput, options?: SignOptions): Promise<SignResult>;
  /** Signs several inputs; drivers with a native batch call use it, others sign concurrently. */
  signMany(inputs: SignInput[], options?: SignOptions): Promise<SignResult[]>;
  close(): Promise<void>;
}
