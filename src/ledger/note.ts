// C2SP signed notes (c2sp.org/signed-note): text, a blank line, then "— name base64(keyID‖sig)"
// lines. Signing goes through the custody contract; verification needs node:crypto and a public key.
//
// Signature types (c2sp.org/signed-note §Signature types):
//   0x01 Ed25519 — PureEdDSA over the note text; key ID = SHA-256(name ‖ 0x0A ‖ 0x01 ‖ 32-byte key)[:4].
//   0x02 ECDSA — as github.com/transparency-dev/witness and Sigstore Rekor do it: ASN.1 DER ECDSA
//        over SHA-256(note text) with P-256; key ID = SHA-256(DER SPKI)[:4] (no name, no type byte).
import { createHash, createPublicKey, verify as nodeVerify, type KeyObject } from 'node:crypto';
import { SignetError, invalidArgument } from '../lib/errors.js';
import type { Signer } from '../signers/contract.js';
import { p1363ToDer } from '../signers/keys.js';
import { decodeBase64Strict } from './checkpoint.js';

export { formatCheckpoint, parseCheckpoint, type Checkpoint } from './checkpoint.js';

export const NOTE_TYPE_ED25519 = 0x01;
export const NOTE_TYPE_ECDSA = 0x02;

/** The spec asks verifiers to accept at least 16; Go's sumdb/note stops at 100. */
export const MAX_NOTE_SIGNATURES = 100;
export const MAX_NOTE_BYTES = 1024 * 1024;

const SIGNATURE_PREFIX = '\u2014 ';
const utf8 = new TextEncoder();

export interface NoteVerifier {
  /** Key name, as it appears on the signature line. */
  readonly name: string;
  /** uint32 key ID (big-endian first four bytes of the hash). */
  readonly keyId: number;
  readonly type: number;
  /** Checks `signature` (without the key ID) over the note text. */
  verify(text: Uint8Array, signature: Uint8Array): boolean;
}

/** Key names: non-empty, no Unicode spaces, no '+' (c2sp.org/signed-note §Format). */
export function isValidKeyName(name: unknown): name is string {
  return typeof name === 'string' && name.length > 0 && !/[\s+\u0000-\u001f\u007f]/u.test(name);
}

function uint32(digest: Uint8Array): number {
  return ((digest[0]! << 24) | (digest[1]! << 16) | (digest[2]! << 8) | digest[3]!) >>> 0;
}

/**
 * The signed-note key ID: SHA-256(name ‖ 0x0A ‖ type ‖ public key)[:4] as a big-endian uint32.
 * For type 0x02 (ECDSA) the spec instead fixes it as SHA-256(DER SPKI)[:4]: pass the DER SPKI.
 */
export function noteKeyId(name: string, type: number, publicKey: Uint8Array): number {
  if (type === NOTE_TYPE_ECDSA) return uint32(createHash('sha256').update(publicKey).digest());
  return uint32(createHash('sha256').update(name).update(new Uint8Array([0x0a, type])).update(publicKey).digest());
}

/** The raw 32-byte Ed25519 key from a node:crypto key. */
function ed25519Raw(key: KeyObject): Uint8Array {
  const jwk = key.export({ format: 'jwk' }) as { x: string };
  return Buffer.from(jwk.x, 'base64url');
}

function keyObjectOf(spkiPemOrDer: string | Uint8Array): KeyObject {
  try {
    return typeof spkiPemOrDer === 'string'
      ? createPublicKey(spkiPemOrDer)
      : createPublicKey({ key: Buffer.from(spkiPemOrDer), format: 'der', type: 'spki' });
  } catch (err) {
    throw new SignetError('INVALID_ARGUMENT', 'public key is neither a PEM nor a DER SubjectPublicKeyInfo', { cause: err, field: 'key' });
  }
}

/** A verifier for notes signed by this public key under this key name, using node:crypto only. */
export function noteVerifierFromPublicKey(name: string, spkiPemOrDer: string | Uint8Array): NoteVerifier {
  if (!isValidKeyName(name)) throw invalidArgument('name', 'a note key name is non-empty, without spaces or "+"');
  const key = keyObjectOf(spkiPemOrDer);
  if (key.type !== 'public') throw invalidArgument('key', 'expected a public key');
  if (key.asymmetricKeyType === 'ed25519') {
    return {
      name,
      type: NOTE_TYPE_ED25519,
      keyId: noteKeyId(name, NOTE_TYPE_ED25519, ed25519Raw(key)),
      verify: (text, signature) => signature.length === 64 && nodeVerify(null, text, key, signature),
    };
  }
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') {
    const spki = key.export({ type: 'spki', format: 'der' });
    return {
      name,
      type: NOTE_TYPE_ECDSA,
      keyId: noteKeyId(name, NOTE_TYPE_ECDSA, spki),
      verify: (text, signature) => {
        try {
          return nodeVerify('sha256', text, { key, dsaEncoding: 'der' }, signature);
        } catch {
          return false;
        }
      },
    };
  }
  throw new SignetError('FAILED_PRECONDITION', `a ${key.asymmetricKeyType} key cannot verify notes; Signet uses Ed25519 or ECDSA P-256`);
}

/** Note text: ends in a newline, no ASCII controls but newline, no lone surrogates. */
function checkText(text: string): void {
  if (typeof text !== 'string' || text.length === 0 || !text.endsWith('\n')) throw invalidArgument('body', 'note text must end in a newline');
  if (/[\u0000-\u0009\u000b-\u001f]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(text)) {
    throw invalidArgument('body', 'note text must not hold control characters or lone surrogates');
  }
}

/** Note key IDs by signer, per (name, key version, key thumbprint): a key's ID never changes. */
const keyIds = new WeakMap<Signer, Map<string, number>>();

async function noteKeyIdOf(signer: Signer, name: string, version: string, thumbprint: string): Promise<number> {
  let known = keyIds.get(signer);
  if (!known) keyIds.set(signer, (known = new Map()));
  const cacheKey = `${name}\n${version}\n${thumbprint}`;
  const cached = known.get(cacheKey);
  if (cached !== undefined) return cached;
  const publicKey = await signer.publicKey(version);
  const keyId =
    publicKey.algorithm === 'Ed25519' ? noteKeyId(name, NOTE_TYPE_ED25519, ed25519Raw(keyObjectOf(publicKey.spki))) : noteKeyId(name, NOTE_TYPE_ECDSA, publicKey.spki);
  // Only a key whose public half is the one that signed is remembered (a version named twice cannot mislead).
  if (publicKey.keyId === thumbprint) known.set(cacheKey, keyId);
  return keyId;
}

/** Which key made a signature: its RFC 7638 thumbprint and the backend's version. */
export interface SigningKey {
  keyId: string;
  keyVersion: string;
}

/** One signature line "— name base64(keyID ‖ signature)\n" made through the custody contract. */
export async function signatureLine(text: string, name: string, signer: Signer): Promise<string> {
  return (await signedLine(text, name, signer)).line;
}

/** The line, and the key version that made it (which a rotation may have changed under the caller). */
async function signedLine(text: string, name: string, signer: Signer): Promise<{ line: string; key: SigningKey }> {
  checkText(text);
  if (!isValidKeyName(name)) throw invalidArgument('name', 'a note key name is non-empty, without spaces or "+"');
  const message = utf8.encode(text);
  const result = await signer.sign({ message });
  // The key ID names the key version that actually signed, even if a rotation raced the call.
  const keyId = await noteKeyIdOf(signer, name, result.keyVersion, result.keyId);
  const signature = result.algorithm === 'Ed25519' ? result.signature : p1363ToDer(result.signature);
  const blob = Buffer.alloc(4 + signature.length);
  blob.writeUInt32BE(keyId, 0);
  blob.set(signature, 4);
  return { line: `${SIGNATURE_PREFIX}${name} ${blob.toString('base64')}\n`, key: { keyId: result.keyId, keyVersion: result.keyVersion } };
}

/** Signs `body` (a checkpoint body or any note text) into a signed note. */
export async function signNote(body: string, name: string, signer: Signer): Promise<string> {
  return (await signNoteReporting(body, name, signer)).note;
}

/** Signs `body` into a signed note and says which key version signed it. */
export async function signNoteReporting(body: string, name: string, signer: Signer): Promise<{ note: string; key: SigningKey }> {
  const { line, key } = await signedLine(body, name, signer);
  return { note: `${body}\n${line}`, key };
}

/** Adds a signature to an already signed note (a rotated key or a cosigner), keeping the others. */
export async function cosignNote(note: string, name: string, signer: Signer): Promise<string> {
  const { text } = splitNote(note);
  return note + (await signatureLine(text, name, signer));
}

export interface NoteSignature {
  name: string;
  keyId: number;
  /** The signature bytes after the key ID. */
  signature: Uint8Array;
}

function malformed(why: string): SignetError {
  return new SignetError('INTEGRITY', `signed note is malformed: ${why}`);
}

/** Splits an untrusted signed note into its text and signature lines; throws INTEGRITY if malformed. */
export function splitNote(note: string): { text: string; signatures: NoteSignature[] } {
  if (typeof note !== 'string') throw malformed('not text');
  if (note.length > MAX_NOTE_BYTES) throw malformed(`longer than ${MAX_NOTE_BYTES} bytes`);
  if (/[\u0000-\u0009\u000b-\u001f]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(note)) {
    throw malformed('holds control characters or lone surrogates');
  }
  if (!note.endsWith('\n')) throw malformed('does not end in a newline');
  const split = note.lastIndexOf('\n\n');
  if (split < 0) throw malformed('no blank line before the signatures');
  const text = note.slice(0, split + 1);
  const lines = note.slice(split + 2, -1).split('\n');
  if (lines.length > MAX_NOTE_SIGNATURES) throw malformed(`more than ${MAX_NOTE_SIGNATURES} signatures`);
  const signatures = lines.map((line, i) => {
    if (!line.startsWith(SIGNATURE_PREFIX)) throw malformed(`signature line ${i + 1} does not start with "— "`);
    const rest = line.slice(SIGNATURE_PREFIX.length);
    const space = rest.lastIndexOf(' ');
    const name = rest.slice(0, space);
    if (space <= 0 || !isValidKeyName(name)) throw malformed(`signature line ${i + 1} has no valid key name`);
    const blob = decodeBase64Strict(rest.slice(space + 1));
    if (!blob || blob.length < 5) throw malformed(`signature line ${i + 1} is not base64 of a key ID and a signature`);
    return { name, keyId: uint32(blob), signature: blob.subarray(4) };
  });
  return { text, signatures };
}

/** The key names that signed a note (verified or not): for tools that pick a key by name. */
export function noteSignerNames(note: string): string[] {
  return [...new Set(splitNote(note).signatures.map((s) => s.name))];
}

/**
 * Verifies a signed note. Signatures by keys not in `verifiers` (name and key ID) are ignored, so
 * a rotation or a cosigner adds a line without breaking anyone; a known key whose signature fails
 * rejects the whole note; and at least one known key must have signed. Throws INTEGRITY otherwise.
 */
export function verifyNote(note: string, verifiers: NoteVerifier[]): { body: string; verifiedBy: string[] } {
  const { text, signatures } = splitNote(note);
  const bytes = utf8.encode(text);
  const verifiedBy: string[] = [];
  for (const sig of signatures) {
    const verifier = verifiers.find((v) => v.name === sig.name && v.keyId === sig.keyId);
    if (!verifier) continue;
    if (!verifier.verify(bytes, sig.signature)) {
      throw new SignetError('INTEGRITY', `signed note: the signature by ${sig.name} (key ID ${hex(sig.keyId)}) does not verify`);
    }
    if (!verifiedBy.includes(sig.name)) verifiedBy.push(sig.name);
  }
  if (verifiedBy.length === 0) throw new SignetError('INTEGRITY', 'signed note: no signature by a known key');
  return { body: text, verifiedBy };
}

function hex(keyId: number): string {
  return keyId.toString(16).padStart(8, '0');
}
