// The keys a server holds: opened from their URIs at start-up, looked up by name or key id.
import { SignetError } from '../lib/errors.js';
import { quoted } from '../lib/quote.js';
import type { Signer } from '../signers/contract.js';
import { openSigner } from '../signers/index.js';

export interface NamedKey {
  name: string;
  signer: Signer;
}

export class KeySet {
  readonly #byName = new Map<string, NamedKey>();

  private constructor(keys: NamedKey[]) {
    for (const k of keys) this.#byName.set(k.name, k);
  }

  /** Opens every key; if one fails, closes those already opened and reports which key failed. */
  static async open(uris: Record<string, string>, env: NodeJS.ProcessEnv = process.env): Promise<KeySet> {
    const opened: NamedKey[] = [];
    try {
      for (const [name, uri] of Object.entries(uris)) {
        try {
          opened.push({ name, signer: await openSigner(uri, { env }) });
        } catch (err) {
          if (err instanceof SignetError) {
            throw new SignetError('CONFIG', `key "${name}": ${err.message}`, { cause: err });
          }
          throw err;
        }
      }
      return new KeySet(opened);
    } catch (err) {
      await Promise.allSettled(opened.map((k) => k.signer.close()));
      throw err;
    }
  }

  static of(keys: NamedKey[]): KeySet {
    return new KeySet(keys);
  }

  list(): NamedKey[] {
    return [...this.#byName.values()];
  }

  byName(name: string): NamedKey | undefined {
    return this.#byName.get(name);
  }

  /** Finds a key by its configured name or by its current key id. */
  resolve(nameOrId: string, field = 'key'): NamedKey {
    if (!nameOrId) throw new SignetError('INVALID_ARGUMENT', `${field}: a key name or key id is required`, { field });
    const named = this.#byName.get(nameOrId);
    if (named) return named;
    for (const k of this.#byName.values()) if (k.signer.keyId() === nameOrId) return k;
    throw new SignetError('NOT_FOUND', `${field}: no key named or with id ${quoted(nameOrId)}`, { field });
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.#byName.values()].map((k) => k.signer.close()));
  }
}
