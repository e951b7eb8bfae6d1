// Verifier keys in the text form the signed-note ecosystem shares (Go sumdb/note, witnesses):
// "<name>+<hex key ID>+<base64(type ‖ public key)>"; Ed25519 keys are raw, ECDSA keys DER SPKI.
import { createPublicKey } from 'node:crypto';
import { SignetError, invalidArgument } from '../lib/errors.js';
import { ed25519Spki } from '../signers/keys.js';
import { decodeBase64Strict } from './checkpoint.js';
import { NOTE_TYPE_ECDSA, NOTE_TYPE_ED25519, isValidKeyName, noteVerifierFromPublicKey, type NoteVerifier } from './note.js';

/** The vkey of a public key (PEM or DER SPKI) under a key name. */
export function formatVkey(name: string, spkiPemOrDer: string | Uint8Array): string {
  const key =
    typeof spkiPemOrDer === 'string' ? createPublicKey(spkiPemOrDer) : createPublicKey({ key: Buffer.from(spkiPemOrDer), format: 'der', type: 'spki' });
  const verifier = noteVerifierFromPublicKey(name, key.export({ type: 'spki', format: 'der' }));
  const material =
    verifier.type === NOTE_TYPE_ED25519
      ? Buffer.from((key.export({ format: 'jwk' }) as { x: string }).x, 'base64url')
      : key.export({ type: 'spki', format: 'der' });
  const blob = Buffer.concat([Buffer.from([verifier.type]), material]);
  return `${name}+${verifier.keyId.toString(16).padStart(8, '0')}+${blob.toString('base64')}`;
}

/** Parses a vkey; refuses (INVALID_ARGUMENT) a malformed one or one whose key ID does not match. */
export function noteVerifierFromVkey(vkey: string): NoteVerifier {
  const parts = typeof vkey === 'string' ? vkey.split('+') : [];
  // The base64 may itself hold '+': everything after the second '+' is the key.
  const [name, idHex] = parts;
  const material = parts.slice(2).join('+');
  if (parts.length < 3 || !isValidKeyName(name) || !/^[0-9a-f]{8}$/.test(idHex ?? '')) {
    throw invalidArgument('vkey', 'must be name+hexkeyid+base64key');
  }
  const blob = decodeBase64Strict(material);
  if (!blob || blob.length < 2) throw invalidArgument('vkey', 'key is not base64 of a type byte and a key');
  const type = blob[0]!;
  const key = blob.subarray(1);
  let verifier: NoteVerifier;
  if (type === NOTE_TYPE_ED25519) {
    if (key.length !== 32) throw invalidArgument('vkey', `an Ed25519 key is 32 bytes, got ${key.length}`);
    verifier = noteVerifierFromPublicKey(name, ed25519Spki(key));
  } else if (type === NOTE_TYPE_ECDSA) {
    verifier = noteVerifierFromPublicKey(name, key);
  } else {
    throw new SignetError('INVALID_ARGUMENT', `vkey: signature type 0x${type.toString(16).padStart(2, '0')} is not supported`, { field: 'vkey' });
  }
  if (verifier.keyId !== parseInt(idHex!, 16)) {
    throw invalidArgument('vkey', `key ID ${idHex} does not match the key`);
  }
  return verifier;
}
