// Finding key objects on a token by label and/or CKA_ID, and reading what Signet needs of them:
// algorithm from CKA_KEY_TYPE and CKA_EC_PARAMS, the public point as DER SPKI.
import pkcs11js from 'pkcs11js';
import { SignetError } from '../../lib/errors.js';
import type { KeyAlgorithm } from '../contract.js';
import { ed25519Spki, p256Spki } from '../keys.js';
import { algorithmOfKey, parseEcPoint } from './attributes.js';
import type { Pkcs11Lib } from './module.js';

export interface KeySelector {
  label?: string;
  id?: Uint8Array;
}

export interface KeyObject {
  handle: Buffer;
  label: string;
  id: Uint8Array;
  /** Absent when Signet cannot sign with it; `unsupported` says what it is. */
  algorithm?: KeyAlgorithm;
  unsupported?: string;
}

export function describeKey(k: KeySelector): string {
  const parts = [];
  if (k.label !== undefined) parts.push(`label "${k.label}"`);
  if (k.id !== undefined) parts.push(`id ${percentId(k.id)}`);
  return parts.join(' and ');
}

/** CKA_ID in RFC 7512 form: every byte percent-encoded. */
export function percentId(id: Uint8Array): string {
  return [...id].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');
}

export function findObjects(lib: Pkcs11Lib, session: Buffer, template: pkcs11js.Template): Buffer[] {
  lib.C_FindObjectsInit(session, template);
  try {
    const all: Buffer[] = [];
    for (;;) {
      const batch = lib.C_FindObjects(session, 32);
      all.push(...batch);
      if (batch.length < 32) return all;
    }
  } finally {
    lib.C_FindObjectsFinal(session);
  }
}

function selectorTemplate(cls: number, k: KeySelector): pkcs11js.Template {
  const t: pkcs11js.Template = [{ type: pkcs11js.CKA_CLASS, value: cls }];
  if (k.label !== undefined) t.push({ type: pkcs11js.CKA_LABEL, value: k.label });
  if (k.id !== undefined) t.push({ type: pkcs11js.CKA_ID, value: Buffer.from(k.id) });
  return t;
}

/** Reads label, id and algorithm of a key object. */
export function describeObject(lib: Pkcs11Lib, session: Buffer, handle: Buffer): KeyObject {
  const [label, id, keyType] = lib.C_GetAttributeValue(session, handle, [
    { type: pkcs11js.CKA_LABEL },
    { type: pkcs11js.CKA_ID },
    { type: pkcs11js.CKA_KEY_TYPE },
  ]).map((a) => a.value as Buffer);
  let ecParams: Buffer | undefined;
  try {
    ecParams = lib.C_GetAttributeValue(session, handle, [{ type: pkcs11js.CKA_EC_PARAMS }])[0]!.value as Buffer;
  } catch {
    // Not an EC key: CKA_EC_PARAMS is invalid for it, and algorithmOfKey says what it is instead.
  }
  const kind = algorithmOfKey(readUlong(keyType!), ecParams);
  const base = { handle, label: label!.toString('utf8'), id: Uint8Array.from(id!) };
  return typeof kind === 'string' ? { ...base, algorithm: kind } : { ...base, unsupported: kind.unsupported };
}

/** The one private key the selector names (start-up): CONFIG errors say what is missing or ambiguous. */
export function findPrivateKey(lib: Pkcs11Lib, session: Buffer, k: KeySelector, tokenLabel: string): KeyObject {
  const key = lookupPrivateKey(lib, session, k, tokenLabel);
  if (!key) throw new SignetError('CONFIG', `no private key with ${describeKey(k)} on token "${tokenLabel}"; create one with \`signet keys generate\``);
  return key;
}

/** The one private key the selector names, or undefined when none is visible; several are CONFIG. */
export function lookupPrivateKey(lib: Pkcs11Lib, session: Buffer, k: KeySelector, tokenLabel: string): KeyObject | undefined {
  const handles = findObjects(lib, session, selectorTemplate(pkcs11js.CKO_PRIVATE_KEY, k));
  if (handles.length === 0) return undefined;
  if (handles.length > 1) {
    throw new SignetError('CONFIG', `${handles.length} private keys have ${describeKey(k)} on token "${tokenLabel}"; add id= or object= to pick one`);
  }
  return describeObject(lib, session, handles[0]!);
}

/** DER SPKI of the public key object beside a private key (same CKA_ID, else same label). */
export function publicSpki(lib: Pkcs11Lib, session: Buffer, key: KeyObject, algorithm: KeyAlgorithm, tokenLabel: string): Uint8Array {
  const byId = key.id.length > 0 ? findObjects(lib, session, selectorTemplate(pkcs11js.CKO_PUBLIC_KEY, { id: key.id })) : [];
  const handles = byId.length > 0 ? byId : findObjects(lib, session, selectorTemplate(pkcs11js.CKO_PUBLIC_KEY, { label: key.label }));
  if (handles.length !== 1) {
    throw new SignetError(
      'CONFIG',
      `key "${key.label}" on token "${tokenLabel}" has ${handles.length} public key objects with its id or label; Signet needs exactly one to read CKA_EC_POINT`,
    );
  }
  const [point] = lib.C_GetAttributeValue(session, handles[0]!, [{ type: pkcs11js.CKA_EC_POINT }]);
  const raw = parseEcPoint(point!.value as Buffer, algorithm);
  return algorithm === 'Ed25519' ? ed25519Spki(raw) : p256Spki(raw);
}

/** CK_ULONG attributes come back as native-endian bytes of 4 or 8. */
export function readUlong(b: Buffer): number {
  return b.length >= 8 ? Number(b.readBigUInt64LE(0)) : b.readUInt32LE(0);
}

export function readBool(b: Buffer): boolean {
  return b.length > 0 && b[0] !== 0;
}
