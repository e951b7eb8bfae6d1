// What an offline verifier trusts: the ledger's public key(s), as PEM or DER SubjectPublicKeyInfo
// or as a signed-note verifier key ("name+keyid+base64"), and optionally the expected origin.
import { noteSignerNames, noteVerifierFromPublicKey, type NoteVerifier } from '../ledger/note.js';
import { noteVerifierFromVkey } from '../ledger/vkey.js';

/** PEM SPKI text, DER SPKI bytes, or a note verifier key (vkey) text. */
export type TrustedKey = string | Uint8Array;

export interface LedgerTrust {
  /** The ledger key (and, after a rotation, the keys before it). */
  keys: TrustedKey | TrustedKey[];
  /** The checkpoint origin line must be exactly this (recommended: a key can sign several logs). */
  origin?: string;
  /**
   * Witnesses: at least `required` of these cosigners (cosignature/v1 vkeys, c2sp.org/tlog-cosignature)
   * must have cosigned the checkpoint.
   */
  witnesses?: { keys: string[]; required: number };
}

const VKEY = /^[^\s+]+\+[0-9a-f]{8}\+\S+$/;

export function isVkey(key: TrustedKey): key is string {
  return typeof key === 'string' && !key.trimStart().startsWith('-----BEGIN') && VKEY.test(key.trim());
}

/**
 * Note verifiers for `note`: a vkey carries its own name; a bare public key is tried under each
 * name that signed the note (an Ed25519 key ID binds the name, so only its own name can match;
 * the checkpoint's origin is checked separately). Throws INVALID_ARGUMENT for an unreadable key.
 */
export function noteVerifiersFor(keys: TrustedKey | TrustedKey[], note: string): NoteVerifier[] {
  const list = Array.isArray(keys) ? keys : [keys];
  const names = noteSignerNames(note);
  return list.flatMap((key) => (isVkey(key) ? [noteVerifierFromVkey(key.trim())] : names.map((name) => noteVerifierFromPublicKey(name, key))));
}
