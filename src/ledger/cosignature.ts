// Witness cosignatures of checkpoints, C2SP tlog-cosignature "cosignature/v1" (Ed25519, key type
// 0x04): a signed-note line whose signature is timestamp (u64 BE) ‖ Ed25519 over
// "cosignature/v1\ntime <timestamp>\n" + the checkpoint body. Key ID = SHA-256(name ‖ 0x0A ‖ 0x04 ‖ key)[:4].
import { createHash, createPublicKey, sign as nodeSign, verify as nodeVerify, type KeyObject } from 'node:crypto';
import { SignetError, invalidArgument } from '../lib/errors.js';
import { ed25519Spki } from '../signers/keys.js';
import { decodeBase64Strict } from './checkpoint.js';
import { isValidKeyName, splitNote } from './note.js';

export const NOTE_TYPE_COSIGNATURE_V1 = 0x04;

export interface Cosigner {
  name: string;
  keyId: number;
  /** The raw 32-byte Ed25519 public key. */
  publicKey: Uint8Array;
}

const SIGNATURE_PREFIX = '\u2014 ';

export function cosignatureKeyId(name: string, raw: Uint8Array): number {
  return createHash('sha256').update(name).update(Uint8Array.of(0x0a, NOTE_TYPE_COSIGNATURE_V1)).update(raw).digest().readUInt32BE(0);
}

/** What a cosigner signs for `body` at `timestamp` (seconds). */
export function cosignedMessage(body: string, timestamp: number): Buffer {
  return Buffer.from(`cosignature/v1\ntime ${timestamp}\n${body}`, 'utf8');
}

function rawOf(key: KeyObject): Uint8Array {
  if (key.asymmetricKeyType !== 'ed25519') throw invalidArgument('witness_key', 'a cosignature/v1 key is Ed25519');
  return Buffer.from((key.export({ format: 'jwk' }) as { x: string }).x, 'base64url');
}

/** The cosigner of an Ed25519 key (private or public) under a name. */
export function cosignerOf(name: string, key: KeyObject): Cosigner {
  if (!isValidKeyName(name)) throw invalidArgument('witness_name', 'a key name is non-empty, without spaces or "+"');
  const publicKey = rawOf(key.type === 'private' ? createPublicKey(key) : key);
  return { name, keyId: cosignatureKeyId(name, publicKey), publicKey };
}

/** "name+keyid+base64(0x04 ‖ key)". */
export function formatCosignerVkey(c: Cosigner): string {
  return `${c.name}+${c.keyId.toString(16).padStart(8, '0')}+${Buffer.concat([Buffer.of(NOTE_TYPE_COSIGNATURE_V1), c.publicKey]).toString('base64')}`;
}

/** Parses a cosigner vkey (type 0x04); refuses another type or a key ID that does not match. */
export function cosignerFromVkey(vkey: string): Cosigner {
  const parts = typeof vkey === 'string' ? vkey.trim().split('+') : [];
  const [name, idHex] = parts;
  const blob = decodeBase64Strict(parts.slice(2).join('+'));
  if (parts.length < 3 || !isValidKeyName(name) || !/^[0-9a-f]{8}$/.test(idHex ?? '') || !blob) throw invalidArgument('witness', 'a witness key is name+hexkeyid+base64key');
  if (blob[0] !== NOTE_TYPE_COSIGNATURE_V1 || blob.length !== 33) throw invalidArgument('witness', 'a witness key is a cosignature/v1 Ed25519 key (type 0x04, 32 bytes)');
  const publicKey = blob.subarray(1);
  const c = { name, keyId: cosignatureKeyId(name, publicKey), publicKey };
  if (c.keyId !== parseInt(idHex!, 16)) throw invalidArgument('witness', `key ID ${idHex} does not match the key`);
  return c;
}

/** One cosignature line for the checkpoint body, signed now (or at `timestamp`). */
export function cosignatureLine(body: string, name: string, privateKey: KeyObject, timestamp = Math.floor(Date.now() / 1000)): string {
  const c = cosignerOf(name, privateKey);
  if (!Number.isSafeInteger(timestamp) || timestamp < 0) throw invalidArgument('timestamp', 'whole seconds since the epoch');
  const blob = Buffer.alloc(4 + 8 + 64);
  blob.writeUInt32BE(c.keyId, 0);
  blob.writeBigUInt64BE(BigInt(timestamp), 4);
  nodeSign(null, cosignedMessage(body, timestamp), privateKey).copy(blob, 12);
  return `${SIGNATURE_PREFIX}${name} ${blob.toString('base64')}\n`;
}

export interface VerifiedCosignature {
  name: string;
  timestamp: number;
  /** The note line, as it appeared. */
  line: string;
}

/**
 * The cosignatures of `note` by `cosigners` that verify over its body. A line by a known cosigner
 * that does not verify is not counted (it never rejects the note: the log's signature decides
 * that); a timestamp more than `maxFutureSeconds` ahead is not counted either. One per cosigner.
 */
export function verifiedCosignatures(note: string, cosigners: Cosigner[], options: { now?: number; maxFutureSeconds?: number } = {}): VerifiedCosignature[] {
  const { text, signatures } = splitNote(note);
  const lines = note.slice(text.length + 1).split('\n');
  const now = options.now ?? Date.now() / 1000;
  const out: VerifiedCosignature[] = [];
  signatures.forEach((sig, i) => {
    const c = cosigners.find((k) => k.name === sig.name && k.keyId === sig.keyId);
    if (!c || out.some((v) => v.name === c.name) || sig.signature.length !== 8 + 64) return;
    const ts = Buffer.from(sig.signature).readBigUInt64BE(0);
    if (ts > BigInt(Number.MAX_SAFE_INTEGER)) return;
    const timestamp = Number(ts);
    if (timestamp > now + (options.maxFutureSeconds ?? 600)) return;
    const key = createPublicKey({ key: Buffer.from(ed25519Spki(c.publicKey)), format: 'der', type: 'spki' });
    if (!nodeVerify(null, cosignedMessage(text, timestamp), key, sig.signature.subarray(8))) return;
    out.push({ name: c.name, timestamp, line: `${lines[i]}\n` });
  });
  return out;
}

/** The checkpoint note with cosignature lines appended (each once). */
export function withCosignatures(note: string, lines: string[]): string {
  const present = new Set(note.slice(splitNote(note).text.length + 1).split('\n').map((l) => `${l}\n`));
  let out = note;
  for (const line of lines) {
    if (!line.startsWith(SIGNATURE_PREFIX) || !line.endsWith('\n') || present.has(line)) continue;
    present.add(line);
    out += line;
  }
  if (out.length > 1024 * 1024) throw new SignetError('RESOURCE_EXHAUSTED', 'the cosigned checkpoint would exceed 1 MiB');
  return out;
}
