// The server's TLS certificate, key and client CA, re-read when the files change or on SIGHUP:
// new handshakes get the new files, connections already open keep theirs (nothing is dropped).
import { readFileSync, unwatchFile, watchFile } from 'node:fs';
import { createSecureContext } from 'node:tls';
import * as grpc from '@grpc/grpc-js';
import { SignetError } from '../lib/errors.js';
import type { Logger } from '../lib/logger.js';
import type { SignetConfig } from './config.js';

type TlsConfig = NonNullable<SignetConfig['tls']>;
type CertificateProvider = grpc.experimental.CertificateProvider;
type CaListener = grpc.experimental.CaCertificateUpdateListener;
type IdentityListener = grpc.experimental.IdentityCertificateUpdateListener;

interface Material {
  cert: Buffer;
  key: Buffer;
  ca: Buffer | undefined;
}

/** How often the files are checked for a change (stat polling: survives renames and symlink swaps). */
const POLL_MS = 1000;

export class TlsFiles implements CertificateProvider {
  readonly #tls: TlsConfig;
  readonly #logger: Logger;
  #material: Material;
  readonly #caListeners = new Set<CaListener>();
  readonly #identityListeners = new Set<IdentityListener>();
  #watching = false;
  #reloads = 0;

  /** Reads the files once; a file that cannot be read or a key that does not match is CONFIG. */
  constructor(tls: TlsConfig, logger: Logger) {
    this.#tls = tls;
    this.#logger = logger;
    this.#material = read(tls);
  }

  /** Successful reloads so far (for tests and metrics). */
  get reloads(): number {
    return this.#reloads;
  }

  /** Server credentials that follow these files. Client certificates are asked for only when required. */
  credentials(): grpc.ServerCredentials {
    // grpc-js's constructor takes (identity, ca, require); this object is both providers.
    return grpc.experimental.createCertificateProviderServerCredentials(this, this.#tls.requireClientCert ? this : null, this.#tls.requireClientCert);
  }

  /** Polls the files for changes until close(). */
  watch(): void {
    if (this.#watching) return;
    this.#watching = true;
    for (const path of this.#paths()) watchFile(path, { interval: POLL_MS, persistent: false }, () => this.reload('file changed'));
  }

  /**
   * Re-reads the files. When they are unreadable or the key does not match the certificate (a
   * half-written update), the old ones stay in use and the error is logged: never an outage.
   */
  reload(reason: string): boolean {
    let next: Material;
    try {
      next = read(this.#tls);
    } catch (err) {
      this.#logger.error({ reason, err: (err as Error).message }, 'TLS files not reloaded: keeping the current certificate');
      return false;
    }
    const old = this.#material;
    const sameCa = next.ca === undefined ? old.ca === undefined : old.ca !== undefined && next.ca.equals(old.ca);
    if (next.cert.equals(old.cert) && next.key.equals(old.key) && sameCa) return false;
    this.#material = next;
    this.#reloads++;
    for (const listener of this.#identityListeners) listener({ certificate: next.cert, privateKey: next.key });
    if (next.ca) for (const listener of this.#caListeners) listener({ caCertificate: next.ca });
    this.#logger.info({ reason, cert: this.#tls.cert }, 'TLS certificate reloaded: new connections use it, open ones keep theirs');
    return true;
  }

  close(): void {
    if (!this.#watching) return;
    this.#watching = false;
    for (const path of this.#paths()) unwatchFile(path);
  }

  // grpc-js adds these listeners before it adds the server's own watcher, so the current files are
  // handed over a microtask later, once that watcher is there to receive them.
  addCaCertificateListener(listener: CaListener): void {
    this.#caListeners.add(listener);
    queueMicrotask(() => this.#caListeners.has(listener) && listener(this.#material.ca ? { caCertificate: this.#material.ca } : null));
  }
  removeCaCertificateListener(listener: CaListener): void {
    this.#caListeners.delete(listener);
  }
  addIdentityCertificateListener(listener: IdentityListener): void {
    this.#identityListeners.add(listener);
    queueMicrotask(() => this.#identityListeners.has(listener) && listener({ certificate: this.#material.cert, privateKey: this.#material.key }));
  }
  removeIdentityCertificateListener(listener: IdentityListener): void {
    this.#identityListeners.delete(listener);
  }

  #paths(): string[] {
    return [this.#tls.cert, this.#tls.key, ...(this.#tls.clientCa ? [this.#tls.clientCa] : [])];
  }
}

function read(tls: TlsConfig): Material {
  const file = (path: string, what: string) => {
    try {
      return readFileSync(path);
    } catch (err) {
      throw new SignetError('CONFIG', `config: tls.${what} cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  };
  const material = { cert: file(tls.cert, 'cert'), key: file(tls.key, 'key'), ca: tls.clientCa ? file(tls.clientCa, 'client_ca') : undefined };
  try {
    // Node checks that the key belongs to the certificate and that the PEMs parse.
    createSecureContext({ cert: material.cert, key: material.key, ...(material.ca ? { ca: material.ca } : {}) });
  } catch (err) {
    throw new SignetError('CONFIG', `config: tls.cert and tls.key do not make a usable pair (${(err as Error).message})`);
  }
  return material;
}
