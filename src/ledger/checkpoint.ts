// The C2SP tlog-checkpoint body (c2sp.org/tlog-checkpoint): origin line, decimal tree size,
// base64 root hash, then optional extension lines. Formatting is strict; parsing is defensive.
import { SignetError, invalidArgument } from '../lib/errors.js';
import { HASH_SIZE, type Hash } from './tree-hash.js';

export interface Checkpoint {
  /** The log's identity, e.g. "signet.example/ledger"; also the signing key's name in the note. */
  origin: string;
  size: number;
  root: Hash;
  /** Opaque, non-empty lines after the root (NOT RECOMMENDED by the spec; kept for parsing). */
  extensions?: string[];
}

/** Longest checkpoint body parsed; a real one is under 200 bytes. */
export const MAX_CHECKPOINT_BYTES = 16 * 1024;

const DECIMAL = /^(0|[1-9][0-9]{0,15})$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
// Note text: no ASCII controls but newline (c2sp.org/signed-note), no lone surrogates.
const BAD_LINE_CHAR = /[\u0000-\u001f\u007f]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function checkLine(line: string, field: string): void {
  if (typeof line !== 'string' || line.length === 0) throw invalidArgument(field, 'must be a non-empty line');
  if (BAD_LINE_CHAR.test(line)) throw invalidArgument(field, 'must not contain newlines, control characters or lone surrogates');
}

/** The checkpoint body: "origin\nsize\nbase64(root)\n" plus any extension lines. */
export function formatCheckpoint(checkpoint: Checkpoint): string {
  const { origin, size, root, extensions = [] } = checkpoint;
  checkLine(origin, 'origin');
  if (!Number.isSafeInteger(size) || size < 0) throw invalidArgument('size', `must be an integer from 0 to 2^53-1, got ${String(size)}`);
  if (!(root instanceof Uint8Array) || root.length !== HASH_SIZE) throw invalidArgument('root', `must be a ${HASH_SIZE}-byte hash`);
  extensions.forEach((line, i) => checkLine(line, `extensions[${i}]`));
  const lines = [origin, String(size), Buffer.from(root).toString('base64'), ...extensions];
  return lines.join('\n') + '\n';
}

function malformed(why: string): SignetError {
  return new SignetError('INTEGRITY', `checkpoint is malformed: ${why}`);
}

/** Strict base64 (RFC 4648 §4, padded, canonical): decodes or returns undefined. */
export function decodeBase64Strict(text: string): Uint8Array | undefined {
  if (text.length % 4 !== 0 || !BASE64.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64');
  return bytes.toString('base64') === text ? bytes : undefined;
}

/** Parses an untrusted checkpoint body; throws INTEGRITY on anything but the exact format. */
export function parseCheckpoint(body: string): Checkpoint {
  if (typeof body !== 'string') throw malformed('not text');
  if (body.length > MAX_CHECKPOINT_BYTES) throw malformed(`longer than ${MAX_CHECKPOINT_BYTES} bytes`);
  if (!body.endsWith('\n')) throw malformed('does not end in a newline');
  const lines = body.slice(0, -1).split('\n');
  if (lines.length < 3) throw malformed(`has ${lines.length} lines; origin, size and root are required`);
  for (const line of lines) {
    if (line.length === 0) throw malformed('has an empty line');
    if (BAD_LINE_CHAR.test(line)) throw malformed('holds control characters or lone surrogates');
  }
  const [origin, sizeText, rootText, ...extensions] = lines as [string, string, string, ...string[]];
  if (!DECIMAL.test(sizeText)) throw malformed(`tree size "${sizeText.slice(0, 32)}" is not a decimal without leading zeroes`);
  const size = Number(sizeText);
  if (!Number.isSafeInteger(size)) throw malformed(`tree size ${sizeText} is beyond 2^53-1`);
  const root = decodeBase64Strict(rootText);
  if (!root || root.length !== HASH_SIZE) throw malformed(`root hash is not base64 of ${HASH_SIZE} bytes`);
  return extensions.length > 0 ? { origin, size, root, extensions } : { origin, size, root };
}
