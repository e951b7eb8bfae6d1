// Checks a stored checkpoint against its signed note: a known key's signature verifies, and the
// signed size and root are the stored ones. Used by VerifyChain and at start-up.
import { SignetError } from '../lib/errors.js';
import type { Signer } from '../signers/contract.js';
import { parseCheckpoint } from './checkpoint.js';
import { noteVerifierFromPublicKey, verifyNote, type NoteVerifier } from './note.js';
import type { StoredCheckpoint } from './store.js';
import { noteVerifierFromVkey } from './vkey.js';

export type NoteVerifiers = NoteVerifier[];

/** Verifiers for checkpoints signed under `origin` by these custody keys (current versions). */
export async function noteVerifiersFor(origin: string, signers: Signer[]): Promise<NoteVerifiers> {
  return Promise.all(signers.map(async (s) => noteVerifierFromPublicKey(origin, (await s.publicKey()).pem)));
}

/**
 * Verifiers for keys that signed this ledger's checkpoints before a rotation: each a public key as
 * PEM or DER SubjectPublicKeyInfo, or a note verifier key (`name+keyid+base64`) whose name is the
 * origin. A key that cannot be read is refused with CONFIG naming `ledger.previous_keys[i]`.
 */
export function noteVerifiersFromKeys(origin: string, keys: ReadonlyArray<string | Uint8Array>): NoteVerifiers {
  return keys.map((key, i) => {
    const field = `ledger.previous_keys[${i}]`;
    let verifier: NoteVerifier;
    try {
      const isPem = typeof key === 'string' && key.includes('-----BEGIN');
      verifier = typeof key === 'string' && !isPem ? noteVerifierFromVkey(key.trim()) : noteVerifierFromPublicKey(origin, key);
    } catch (err) {
      throw new SignetError('CONFIG', `${field}: not a public key (PEM or DER SPKI) nor a note verifier key (${(err as Error).message})`, { field, cause: err });
    }
    if (verifier.name !== origin) {
      throw new SignetError('CONFIG', `${field}: the verifier key is for "${verifier.name}", not this ledger's origin "${origin}"`, { field });
    }
    return verifier;
  });
}

/** Undefined when the checkpoint is sound; otherwise why not. */
export function checkCheckpointNote(c: StoredCheckpoint, verifiers: NoteVerifiers, origin?: string): string | undefined {
  let body: string;
  try {
    body = verifyNote(c.note, verifiers).body;
  } catch (err) {
    return `checkpoint at size ${c.size}: ${(err as Error).message}`;
  }
  let signed;
  try {
    signed = parseCheckpoint(body);
  } catch (err) {
    return `checkpoint at size ${c.size}: ${(err as Error).message}`;
  }
  if (origin !== undefined && signed.origin !== origin) return `checkpoint at size ${c.size}: origin is "${signed.origin}", expected "${origin}"`;
  if (signed.size !== c.size) return `checkpoint at size ${c.size}: the signed note says size ${signed.size}`;
  if (!Buffer.from(signed.root).equals(c.root)) return `checkpoint at size ${c.size}: the signed root differs from the stored root`;
  return undefined;
}
