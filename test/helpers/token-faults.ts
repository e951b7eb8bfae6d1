// Real faults for a SoftHSM token, as an operator or a failing disk would cause them (tests run as
// root, for whom chmod 000 changes nothing: files are moved away or replaced by directories instead).
import { mkdirSync, readdirSync, renameSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import type { SoftHsmToken } from './softhsm.js';

export interface TokenFault {
  name: string;
  inject(): void;
  restore(): void;
}

/** The directory of the one token in the test token directory. */
function tokenDir(token: SoftHsmToken): string {
  const tokens = join(token.dir, 'tokens');
  const [only] = readdirSync(tokens);
  if (!only) throw new Error('the test token directory holds no token');
  return join(tokens, only);
}

/** The token directory moved away (an unmounted volume), then back. */
export function directoryMoved(token: SoftHsmToken): TokenFault {
  const tokens = join(token.dir, 'tokens');
  return {
    name: 'the token directory moved away',
    inject: () => renameSync(tokens, `${tokens}.away`),
    restore: () => renameSync(`${tokens}.away`, tokens),
  };
}

/**
 * Every key object file made unreadable, even for root: each is moved aside and a directory of
 * the same name stands in its place (open/read fail with EISDIR), then the files come back.
 */
export function objectFilesUnreadable(token: SoftHsmToken, which: 'keys' | 'token' = 'keys'): TokenFault {
  const stash = join(token.dir, `stash-${which}`);
  let moved: string[] = [];
  return {
    name: which === 'keys' ? 'the key object files unreadable' : 'the token object file unreadable',
    inject() {
      const dir = tokenDir(token);
      mkdirSync(stash, { recursive: true });
      moved = readdirSync(dir).filter((f) => f.endsWith('.object') && (which === 'keys') === (f !== 'token.object'));
      for (const f of moved) {
        renameSync(join(dir, f), join(stash, f));
        mkdirSync(join(dir, f));
      }
    },
    restore() {
      const dir = tokenDir(token);
      for (const f of moved) {
        rmdirSync(join(dir, f));
        renameSync(join(stash, f), join(dir, f));
      }
      moved = [];
    },
  };
}
