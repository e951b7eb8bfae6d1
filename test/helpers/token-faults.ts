// Real faults for a SoftHSM token, as an operator or a failing disk would cause them (tests run as
// root, for whom chmod 000 changes nothing: files are moved away or replaced by directories instead).
import { spawn } from 'node:child_process';
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

/**
 * A hung token, for real: another process holds POSIX write locks on the key object files, and
 * SoftHSM, which takes a read lock (F_SETLKW) before it uses an object, waits inside C_SignInit
 * until they are released — as a call to a device that stopped answering waits.
 */
export async function objectFilesLocked(token: SoftHsmToken): Promise<{ release(): Promise<void> }> {
  const dir = tokenDir(token);
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.object') && f !== 'token.object')
    .map((f) => join(dir, f));
  const holder = spawn(
    'python3',
    ['-c', "import fcntl, sys\nheld = [open(p, 'r+b') for p in sys.argv[1:]]\nfor f in held: fcntl.lockf(f, fcntl.LOCK_EX)\nprint('locked', flush=True)\nsys.stdin.readline()", ...files],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const exited = new Promise<void>((resolve) => holder.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    holder.stdout!.once('data', () => resolve());
    holder.once('exit', (code) => reject(new Error(`the lock holder exited (${code}) before locking`)));
  });
  return {
    async release() {
      holder.stdin!.end();
      await exited;
    },
  };
}
