// A custody key whose version changes under its user, as a cloud KMS key does when it rotates by
// itself: each version is a real software key; sign() uses the current one and says which.
import type { PublicKeyInfo, SignInput, SignOptions, SignResult, Signer } from '../../src/signers/contract.js';

export class RotatingSigner implements Signer {
  readonly driver = 'rotating-test';
  readonly uri = 'rotating-test://ledger';
  readonly hardwareBacked = false;
  readonly #versions: Signer[];
  #current = 0;
  /** Called when a signature is asked for, before the version is picked (a rotation racing the caller). */
  beforeSign: (() => void) | undefined;

  constructor(versions: Signer[]) {
    this.#versions = versions;
  }

  get algorithm() {
    return this.#versions[this.#current]!.algorithm;
  }

  get version(): string {
    return String(this.#current + 1);
  }

  /** The backend makes a new primary version. */
  rotate(): void {
    if (this.#current + 1 >= this.#versions.length) throw new Error('no more versions');
    this.#current++;
  }

  keyId(): string {
    return this.#versions[this.#current]!.keyId();
  }

  async publicKey(version?: string): Promise<PublicKeyInfo> {
    const i = version === undefined ? this.#current : Number(version) - 1;
    const signer = this.#versions[i];
    if (!signer || i > this.#current) throw Object.assign(new Error(`no version ${version}`), { code: 'NOT_FOUND' });
    return { ...(await signer.publicKey()), keyVersion: String(i + 1) };
  }

  async sign(input: SignInput, options?: SignOptions): Promise<SignResult> {
    this.beforeSign?.();
    const i = this.#current;
    const result = await this.#versions[i]!.sign(input, options);
    return { ...result, keyVersion: String(i + 1) };
  }

  signMany(inputs: SignInput[], options?: SignOptions): Promise<SignResult[]> {
    return Promise.all(inputs.map((i) => this.sign(i, options)));
  }

  async close(): Promise<void> {}
}
