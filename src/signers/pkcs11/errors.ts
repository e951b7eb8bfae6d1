// Reading pkcs11js failures: the CKR_ name of a Cryptoki error, and which ones a fresh session
// (or a re-initialised module) can cure, per the PKCS#11 lessons in DESIGN.md.
import { SignetError, type SignetErrorCode } from '../../lib/errors.js';

/**
 * The CKR_… name of a pkcs11js Pkcs11Error, or undefined for anything else. A SignetError made by
 * pkcs11Failure (a failed C_OpenSession or C_Login) keeps the Cryptoki error as its cause: look there.
 */
export function ckrOf(err: unknown): string | undefined {
  for (let e = err, depth = 0; e instanceof Error && depth < 4; e = e.cause, depth++) {
    if (/^CKR_[A-Z0-9_]+$/.test(e.message)) return e.message;
  }
  return undefined;
}

const RECOVERABLE = new Set([
  'CKR_SESSION_HANDLE_INVALID',
  'CKR_SESSION_CLOSED',
  'CKR_OBJECT_HANDLE_INVALID',
  'CKR_KEY_HANDLE_INVALID',
  'CKR_DEVICE_REMOVED',
  'CKR_TOKEN_NOT_PRESENT',
  'CKR_SLOT_ID_INVALID',
  'CKR_CRYPTOKI_NOT_INITIALIZED',
  'CKR_USER_NOT_LOGGED_IN',
  // What SoftHSM answers when its token directory or object files went away, and what a device
  // says when it is unwell: the token is unreachable, not the request wrong.
  'CKR_GENERAL_ERROR',
  'CKR_DEVICE_ERROR',
  'CKR_DEVICE_MEMORY',
  'CKR_TOKEN_NOT_RECOGNIZED',
]);

/**
 * A key that was on the token when Signet opened it and is not visible now: at run time the token
 * is unwell (SoftHSM with its object files away shows no objects), so it is UNAVAILABLE and
 * recovery looks again; only at start-up does a missing key mean "create one".
 */
export class KeyNotVisible extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KeyNotVisible';
  }
}

/**
 * Errors that say the token (not the request) is at fault: re-opening sessions, re-finding the
 * key and retrying once may succeed, and if not, the token is in an outage that recovery heals.
 */
export function isRecoverable(err: unknown): boolean {
  if (err instanceof KeyNotVisible) return true;
  const ckr = ckrOf(err);
  return ckr !== undefined && RECOVERABLE.has(ckr);
}

/** A login refused for the PIN itself: retrying it would only bring the PIN closer to locking. */
export function isPinRefusal(err: unknown): boolean {
  const ckr = ckrOf(err);
  return ckr === 'CKR_PIN_INCORRECT' || ckr === 'CKR_PIN_LOCKED' || ckr === 'CKR_PIN_LEN_RANGE' || ckr === 'CKR_PIN_INVALID' || ckr === 'CKR_PIN_EXPIRED';
}

/** A short, secret-free account of a failure: its CKR_ name, else its message. */
export function describeFailure(err: unknown): string {
  return ckrOf(err) ?? (err instanceof Error ? err.message : String(err));
}

/** Errors that mean the module itself must be finalised and initialised again. */
export function needsReinitialize(err: unknown): boolean {
  const ckr = ckrOf(err);
  return ckr === 'CKR_CRYPTOKI_NOT_INITIALIZED' || ckr === 'CKR_DEVICE_REMOVED' || ckr === 'CKR_TOKEN_NOT_PRESENT';
}

/** Wraps a Cryptoki failure in a SignetError naming what was attempted and the CKR_ code. */
export function pkcs11Failure(what: string, err: unknown, code: SignetErrorCode = 'UNAVAILABLE'): SignetError {
  if (err instanceof SignetError) return err;
  const detail = ckrOf(err) ?? (err instanceof Error ? err.message : String(err));
  return new SignetError(code, `${what}: ${detail}`, { cause: err });
}
