// Canonical base64url (RFC 4648 §5 without padding, as JWS uses it): one spelling per byte string.
// Refused: padding, '+' '/', a length that leaves a stray character, non-zero unused bits.

const ALPHABET = /^[A-Za-z0-9_-]*$/;

/** The bytes of `text`, or undefined when it is not the one canonical base64url spelling of them. */
export function decodeBase64url(text: string): Buffer | undefined {
  if (typeof text !== 'string' || !ALPHABET.test(text) || text.length % 4 === 1) return undefined;
  const bytes = Buffer.from(text, 'base64url');
  // Node ignores the unused low bits of the last character; re-encoding shows whether they were 0.
  return bytes.toString('base64url') === text ? bytes : undefined;
}

/** True when `text` is canonical base64url. */
export function isCanonicalBase64url(text: string): boolean {
  return decodeBase64url(text) !== undefined;
}
