// Secret sources (PINs, passphrases, tokens): `env:NAME` or `file:/path`, read when a key opens.
import { readFileSync } from 'node:fs';
import { SignetError } from '../lib/errors.js';

/**
 * Reads a secret from `env:NAME` or `file:/path` (RFC 7512 pin-source style). Never logs it.
 * `env` is the environment to read (the caller's, for tests and embedded use; process.env otherwise).
 */
export function readSecret(source: string, what: string, env: NodeJS.ProcessEnv = process.env): string {
  if (source.startsWith('env:')) {
    const name = source.slice(4);
    const value = env[name];
    if (value === undefined || value === '') {
      throw new SignetError('CONFIG', `${what}: environment variable ${name} is not set`);
    }
    return value;
  }
  if (source.startsWith('file:')) {
    const path = source.slice(5).replace(/^\/\/(localhost)?/, '');
    try {
      return readFileSync(path, 'utf8').replace(/\r?\n$/, '');
    } catch (err) {
      throw new SignetError('CONFIG', `${what}: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'})`, { cause: err });
    }
  }
  throw new SignetError('CONFIG', `${what}: a secret source is env:NAME or file:/path`);
}
